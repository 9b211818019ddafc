using System.Diagnostics;
using System.Text.Json;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Against the REAL engine and the real docker CLI: <c>berth stack ls|services|ps</c> print what
/// <c>docker stack ls|services|ps</c> print for the same stack (--format json key by key, Go templates, job replicas,
/// the <c> \_ </c> history marker), so scripts written for docker work unchanged.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class StackOutputTests
{
    private const string Image = "berth-test/busybox:1";

    public StackOutputTests() => Engine.RequireSwarmManager();

    private static string File(int port, string mode) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            stop_grace_period: 1s
            environment: {MODE: {{mode}}}
            ports: ["{{port}}:80"]
            deploy: {replicas: 2}
          job:
            image: {{Image}}
            command: ["true"]
            deploy: {mode: replicated-job, replicas: 2}
        """;

    [Fact]
    public void LsServicesPs_JsonAndTemplates_AreDockers()
    {
        var stack = Engine.NewStackName("so");
        var port = Engine.FreePublishedPort();
        var dir = SwarmEngineTests.WriteProject(File(port, "one"));
        try
        {
            Deploy(dir, stack);
            WaitFor(stack, "services", s => s.Contains("0/2 (2/2 completed)", StringComparison.Ordinal) && s.Contains($"{stack}_web 2/2", StringComparison.Ordinal));

            // ls: docker's keys and values, plus Berth's Orchestrator and Namespace.
            var dockerLs = Rows(Engine.Docker("stack", "ls", "--format", "json")).Single(r => r["Name"] == stack);
            var berthLs = Rows(Berth("stack", "ls", "--format", "json")).Single(r => r["Name"] == stack);
            AssertSuperset(dockerLs, berthLs);
            Assert.Equal(("swarm", ""), (berthLs["Orchestrator"], berthLs["Namespace"]));

            // services: the same rows, key by key, including the job's "0/2 (2/2 completed)" and the ports text.
            var dockerServices = Rows(Engine.Docker("stack", "services", "--format", "json", stack));
            var berthServices = Rows(Berth("stack", "services", "--format", "json", stack));
            Assert.Equal(dockerServices.Select(r => r["Name"]), berthServices.Select(r => r["Name"]));
            foreach (var (docker, berth) in dockerServices.Zip(berthServices))
            {
                AssertSuperset(docker, berth);
            }

            Assert.Equal("0/2 (2/2 completed)", berthServices.Single(r => r["Name"] == $"{stack}_job")["Replicas"]);
            Assert.Equal($"*:{port}->80/tcp", berthServices.Single(r => r["Name"] == $"{stack}_web")["Ports"]);

            // ps: the same tasks with the same values; CurrentState's age may tick between the two calls.
            var dockerPs = Rows(Engine.Docker("stack", "ps", "--format", "json", stack)).ToDictionary(r => r["ID"]);
            var berthPs = Rows(Berth("stack", "ps", "--format", "json", stack));
            Assert.Equal(dockerPs.Keys.Order(StringComparer.Ordinal), berthPs.Select(r => r["ID"]).Order(StringComparer.Ordinal));
            foreach (var berth in berthPs)
            {
                var docker = dockerPs[berth["ID"]];
                AssertSuperset(docker.Where(p => p.Key != "CurrentState").ToDictionary(), berth);
                Assert.Equal(docker["CurrentState"].Split(' ')[0], berth["CurrentState"].Split(' ')[0]);
                Assert.EndsWith(" ago", berth["CurrentState"], StringComparison.Ordinal);

                // Berth's additions: RFC 3339 timestamps (docker's JSON has none).
                var created = DateTimeOffset.Parse(berth["CreatedAt"], System.Globalization.CultureInfo.InvariantCulture);
                var updated = DateTimeOffset.Parse(berth["UpdatedAt"], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", berth["CreatedAt"]);
                Assert.True(updated >= created && created > DateTimeOffset.UtcNow.AddHours(-1), $"{created} {updated}");
            }

            // Go templates: the same text as docker's.
            foreach (var (verb, format) in new[]
            {
                ("services", "{{.Name}}"),
                ("services", "{{.Name}}\\t{{.Replicas}}"),
                ("services", "table {{.Name}}\\t{{.Mode}}\\t{{.Replicas}}\\t{{.Ports}}"),
                ("services", "{{json .Replicas}} {{.Image | upper}}"),
                ("ps", "{{.Name}} {{.DesiredState}}"),
                ("ps", "table {{.ID}}\\t{{.Name}}\\t{{.Node}}\\t{{.DesiredState}}"),
            })
            {
                var docker = Engine.Docker("stack", verb, "--format", format, stack);
                var berth = Berth("stack", verb, "--format", format, stack);
                Assert.True(docker.ExitCode == 0, docker.ToString());
                Assert.Equal(Trimmed(docker.Stdout), Trimmed(berth.Stdout));
            }

            Assert.Contains(stack, Engine.Lines(Berth("stack", "ls", "--format", "{{.Name}}").Stdout));
            Assert.Contains($"{stack} 2", Engine.Lines(Berth("stack", "ls", "--format", "{{.Name}} {{.Services}}").Stdout));

            // The default tables are docker's, with the job's completions.
            var table = Berth("stack", "services", stack);
            Assert.Matches($@"\n\S+\s+{stack}_job\s+replicated job\s+0/2 \(2/2 completed\)\s+{Image}\n", table.Stdout);
            Assert.Equal(Trimmed(Engine.Docker("stack", "services", stack).Stdout), Trimmed(table.Stdout));

            var unknown = Engine.Berth(dir, null, "stack", "services", "--format", "{{.Nmae}}", stack);
            Assert.Equal(2, unknown.ExitCode);
            Assert.Contains("can't evaluate field Nmae (fields: ID, Image, Mode, Name, Ports, Replicas)", unknown.Stderr, StringComparison.Ordinal);
            Assert.Empty(unknown.Stdout);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Ps_AfterAnUpdate_OlderTasksFollowTheirSlotWithDockersMarker()
    {
        var stack = Engine.NewStackName("sh");
        var port = Engine.FreePublishedPort();
        var dir = SwarmEngineTests.WriteProject(File(port, "one"));
        try
        {
            Deploy(dir, stack);
            WaitFor(stack, "services", s => s.Contains($"{stack}_web 2/2", StringComparison.Ordinal));
            System.IO.File.WriteAllText(Path.Combine(dir, "compose.yaml"), File(port, "two"));
            var redeployed = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", stack);
            Assert.True(redeployed.ExitCode == 0, redeployed.ToString());
            WaitFor(stack, "ps", s => Engine.Lines(s).Count(l => l.StartsWith($"{stack}_web.", StringComparison.Ordinal) && l.EndsWith(" Shutdown", StringComparison.Ordinal)) == 2);
            WaitFor(stack, "services", s => s.Contains($"{stack}_web 2/2", StringComparison.Ordinal));

            const string Format = "table {{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.DesiredState}}";
            var docker = Engine.Docker("stack", "ps", "--format", Format, stack);
            var berth = Berth("stack", "ps", "--format", Format, stack);
            Assert.Equal(Trimmed(docker.Stdout), Trimmed(berth.Stdout));

            var lines = Engine.Lines(Berth("stack", "ps", "--filter", "name=web", stack).Stdout.Replace(" \\_ ", "~\\_~", StringComparison.Ordinal));
            var names = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
            Assert.Equal([$"{stack}_web.1", $"~\\_~{stack}_web.1", $"{stack}_web.2", $"~\\_~{stack}_web.2"], names);
            Assert.Matches(@"\s+Running\s+Running ", lines[1]);
            Assert.Matches(@"\s+Shutdown\s+(Shutdown|Complete|Failed) ", lines[2]);

            // Only tables indent: JSON and plain templates carry the bare name, as docker's.
            Assert.Equal(Trimmed(Engine.Docker("stack", "ps", "--format", "{{.Name}}", stack).Stdout), Trimmed(Berth("stack", "ps", "--format", "{{.Name}}", stack).Stdout));
            Assert.DoesNotContain("\\\\_", Berth("stack", "ps", "--format", "json", stack).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Ps_FailingTasks_ErrorQuotedAndTruncatedAsDocker()
    {
        var stack = Engine.NewStackName("sf");
        var dir = SwarmEngineTests.WriteProject("services:\n  web:\n    image: berth-test/missing:1\n    command: [\"sleep\", \"3600\"]\n");
        try
        {
            Deploy(dir, stack);
            WaitFor(stack, "ps", s => Engine.Lines(s).Count(l => l.EndsWith(" Shutdown", StringComparison.Ordinal)) >= 1);

            // The engine retries all the time: compare the tasks both listed (a rejected task no longer changes).
            var docker = Rows(Engine.Docker("stack", "ps", "--format", "json", stack)).Where(r => r["DesiredState"] == "Shutdown").ToDictionary(r => r["ID"]);
            var berth = Rows(Berth("stack", "ps", "--format", "json", stack)).Where(r => docker.ContainsKey(r["ID"])).ToList();
            Assert.NotEmpty(berth);
            foreach (var row in berth)
            {
                Assert.Equal("\"No such image: berth-test/mis…\"", row["Error"]);
                AssertSuperset(docker[row["ID"]].Where(p => p.Key != "CurrentState").ToDictionary(), row);
            }

            var full = Rows(Berth("stack", "ps", "--no-trunc", "--format", "json", stack)).First(r => r["DesiredState"] == "Shutdown");
            Assert.Equal("\"No such image: berth-test/missing:1\"", full["Error"]);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    private static void Deploy(string dir, string stack)
    {
        var deployed = Engine.DockerIn(dir, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack);
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
    }

    /// <summary>Polls docker's own view (--format "{{.Name}} {{.Replicas}}" / "{{.Name}} {{.DesiredState}}") until it satisfies <paramref name="done"/>.</summary>
    private static void WaitFor(string stack, string verb, Func<string, bool> done)
    {
        var format = verb == "services" ? "{{.Name}} {{.Replicas}}" : "{{.Name}} {{.DesiredState}}";
        var deadline = Stopwatch.StartNew();
        var last = string.Empty;
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            last = Engine.Docker("stack", verb, "--format", format, stack).Stdout;
            if (done(last))
            {
                return;
            }

            Thread.Sleep(500);
        }

        Assert.Fail($"docker stack {verb} {stack} did not reach the expected state within 90 s:\n{last}");
    }

    private static Engine.Result Berth(params string[] args)
    {
        var result = Engine.Berth(Path.GetTempPath(), null, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static List<Dictionary<string, string>> Rows(Engine.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. Engine.Lines(result.Stdout).Select(line =>
        {
            using var row = JsonDocument.Parse(line);
            return row.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        })];
    }

    /// <summary>Every key of docker's row is in Berth's, with the same value.</summary>
    private static void AssertSuperset(Dictionary<string, string> docker, Dictionary<string, string> berth)
    {
        foreach (var (key, value) in docker)
        {
            Assert.True(berth.TryGetValue(key, out var actual), $"berth has no key {key}: {string.Join(", ", berth.Keys)}");
            Assert.True(value == actual, $"{key}: docker '{value}', berth '{actual}'");
        }
    }

    /// <summary>Lines without the trailing blanks docker's tabwriter leaves.</summary>
    private static string Trimmed(string text) => string.Join('\n', text.Split('\n').Select(l => l.TrimEnd()));
}
