using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Stacks.Progress;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// The berth command (a real process) against the REAL engine in Swarm mode: stack diff, deploy
/// --rollback-on-failure, progress output, the image-missing error path, and ps/services filters. Only the local
/// image berth-test/busybox:1; each test removes its stack with the docker CLI at the end.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed partial class StackCliTests
{
    private const string Image = "berth-test/busybox:1";

    public StackCliTests() => Engine.RequireSwarmManager();

    private static string App(string mode, int replicas, bool withWorker = true) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {MODE: {{mode}}}
            secrets: [token]
            deploy: {replicas: {{replicas}}}
        {{(withWorker ? $"  worker:\n    image: {Image}\n    command: [\"sleep\", \"3600\"]\n" : string.Empty)}}
        secrets:
          token: {environment: TOKEN}
        """;

    private static Dictionary<string, string> Token(string value) => new() { ["TOKEN"] = value };

    [Fact]
    public void Diff_ShowsWhatDeployWouldChange_WithoutMutatingEngineCalls()
    {
        var stack = Engine.NewStackName("bd");
        try
        {
            var dir = SwarmEngineTests.WriteProject(App("one", 1));

            // Nothing deployed yet: everything is to create.
            var fresh = Engine.Berth(dir, Token("s3cret-one"), "stack", "diff", "-c", "compose.yaml", stack);
            Assert.True(fresh.ExitCode == 0, fresh.ToString());
            Assert.Contains($"+ create service {stack}_web", fresh.Stdout, StringComparison.Ordinal);
            Assert.Contains($"+ create secret {stack}_token_", fresh.Stdout, StringComparison.Ordinal);
            Assert.Equal(0, SwarmEngineTests.CountLabelled("service", stack));
            Assert.Equal(0, SwarmEngineTests.CountLabelled("secret", stack));

            var deploy = Engine.Berth(dir, Token("s3cret-one"), "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());

            // Changed env, replicas and secret content; worker dropped from the file.
            File.WriteAllText(Path.Combine(dir, "compose.yaml"), App("two", 2, withWorker: false));
            Thread.Sleep(1100);
            var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var diff = Engine.Berth(dir, Token("s3cret-two"), "stack", "diff", "-c", "compose.yaml", stack);
            var json = Engine.Berth(dir, Token("s3cret-two"), "stack", "diff", "-c", "compose.yaml", "--format", "json", "--prune", stack);
            var exitCode = Engine.Berth(dir, Token("s3cret-two"), "stack", "diff", "-c", "compose.yaml", "--exit-code", stack);
            var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;

            Assert.True(diff.ExitCode == 0, diff.ToString());
            // Values, not only field names: env by name only (values can hold credentials), secrets by versioned name.
            Assert.Matches($@"~ update service {stack}_web\n    Env: MODE changed\n    Replicas: 1 → 2\n    Secrets: {stack}_token_[0-9a-f]+ → {stack}_token_[0-9a-f]+\n", diff.Stdout);
            Assert.Contains($"+ create secret {stack}_token_", diff.Stdout, StringComparison.Ordinal);
            Assert.Contains($"- remove secret {stack}_token_", diff.Stdout, StringComparison.Ordinal);
            Assert.Contains("(old version)", diff.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain($"remove service {stack}_worker", diff.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", diff.Stdout + diff.Stderr + json.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("=one", diff.Stdout + json.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("two", diff.Stdout + json.Stdout, StringComparison.Ordinal);

            Assert.True(json.ExitCode == 0, json.ToString());
            Assert.Contains($"{{\"action\":\"update\",\"kind\":\"service\",\"name\":\"{stack}_web\",\"fields\":[\"Env\",\"Replicas\",\"Secrets\"],\"changes\":[", json.Stdout, StringComparison.Ordinal);
            Assert.Contains("{\"field\":\"Env\",\"from\":\"MODE\",\"to\":\"MODE\"},{\"field\":\"Replicas\",\"from\":\"1\",\"to\":\"2\"},{\"field\":\"Secrets\",\"from\":", json.Stdout, StringComparison.Ordinal);
            Assert.Contains($"{{\"action\":\"remove\",\"kind\":\"service\",\"name\":\"{stack}_worker\",\"fields\":[],\"reason\":\"not in the file\"}}", json.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, exitCode.ExitCode);

            // The engine's own event stream over the three diffs: no create/update/remove at all.
            var events = Engine.Docker("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until.ToString(CultureInfo.InvariantCulture),
                "--filter", "type=service", "--filter", "type=secret", "--filter", "type=config", "--filter", "type=network", "--filter", "scope=swarm", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
            Assert.Equal(0, events.ExitCode);
            var mutations = Engine.Lines(events.Stdout).Where(l => l.Contains(stack, StringComparison.Ordinal) && !l.Contains(" connect ", StringComparison.Ordinal) && !l.Contains(" disconnect ", StringComparison.Ordinal)).ToList();
            Assert.True(mutations.Count == 0, "engine events during stack diff:\n" + string.Join('\n', mutations));
            Assert.Equal("1/1", Engine.Docker("service", "ls", "--filter", $"name={stack}_web", "--format", "{{.Replicas}}").Stdout.Trim());

            // After deploying the new file, nothing is left to change.
            var second = Engine.Berth(dir, Token("s3cret-two"), "stack", "deploy", "-c", "compose.yaml", "--prune", stack);
            Assert.True(second.ExitCode == 0, second.ToString());
            var clean = Engine.Berth(dir, Token("s3cret-two"), "stack", "diff", "-c", "compose.yaml", "--exit-code", "--prune", stack);
            Assert.True(clean.ExitCode == 0, clean.ToString());
            Assert.Contains($"Stack {stack} is up to date (1 services unchanged)", clean.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_RollbackOnFailure_RestoresThePreviousSpecAndFails()
    {
        var stack = Engine.NewStackName("br");
        try
        {
            var dir = SwarmEngineTests.WriteProject($"services:\n  web:\n    image: {Image}\n    command: [\"sleep\", \"3600\"]\n");
            var good = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(good.ExitCode == 0, good.ToString());
            var goodSpec = Inspect($"{stack}_web", "{{json .Spec.TaskTemplate.ContainerSpec}}");

            File.WriteAllText(Path.Combine(dir, "compose.yaml"), $"services:\n  web:\n    image: {Image}\n    command: [\"sh\", \"-c\", \"exit 1\"]\n");
            var bad = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--rollback-on-failure", "--timeout", "30s", stack);

            Assert.True(bad.ExitCode == 3, bad.ToString());
            Assert.Contains($"{stack}_web: task ", bad.Stderr, StringComparison.Ordinal);
            Assert.Contains("non-zero exit (1)", bad.Stderr, StringComparison.Ordinal);
            Assert.Contains($"Rolled back to the previous spec: {stack}_web", bad.Stderr, StringComparison.Ordinal);
            Assert.Contains($"Rolling back service {stack}_web", bad.Stdout, StringComparison.Ordinal);
            Assert.Equal(goodSpec, Inspect($"{stack}_web", "{{json .Spec.TaskTemplate.ContainerSpec}}"));
            Assert.Contains("[\"sleep\",\"3600\"]", goodSpec, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_Redirected_PrintsPerServiceProgressLinesAndSummary()
    {
        var stack = Engine.NewStackName("bg");
        try
        {
            var dir = SwarmEngineTests.WriteProject(App("one", 2));
            var result = Engine.Berth(dir, Token("one"), "stack", "deploy", "-c", "compose.yaml", stack);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Matches(ProgressLine(stack + "_web   ", "2/2", "converged"), result.Stdout);
            Assert.Matches(ProgressLine(stack + "_worker", "1/1", "converged"), result.Stdout);
            Assert.Contains("2/2 services converged", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', result.Stdout);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_ImageMissing_FailsNamingTheServiceAndTheTaskError()
    {
        var stack = Engine.NewStackName("bm");
        try
        {
            var dir = SwarmEngineTests.WriteProject("services:\n  web:\n    image: berth-test/does-not-exist:1\n");
            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "20s", stack);

            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.Contains($"{stack}_web: task ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("No such image", result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"hint: the service {stack}_web was created and stays in the Swarm", result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"berth stack rm {stack}", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void PsAndServices_FilterAndQuiet_AsDocker()
    {
        var stack = Engine.NewStackName("bf");
        try
        {
            var dir = SwarmEngineTests.WriteProject(App("one", 1));
            Assert.Equal(0, Engine.Berth(dir, Token("one"), "stack", "deploy", "-c", "compose.yaml", stack).ExitCode);
            var tmp = Path.GetTempPath();

            var quiet = Engine.Berth(tmp, null, "stack", "services", "-q", stack);
            Assert.True(quiet.ExitCode == 0, quiet.ToString());
            var ids = Engine.Lines(quiet.Stdout);
            Assert.Equal(2, ids.Length);
            Assert.All(ids, id => Assert.Matches("^[a-z0-9]{12}$", id));
            var webId = Engine.Docker("service", "inspect", "--format", "{{.ID}}", $"{stack}_web").Stdout.Trim();
            Assert.Contains(webId[..12], ids);

            var byName = Engine.Berth(tmp, null, "stack", "services", "--filter", "name=web", stack);
            Assert.Contains($"{stack}_web", byName.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain($"{stack}_worker", byName.Stdout, StringComparison.Ordinal);
            var byFullName = Engine.Berth(tmp, null, "stack", "services", "-q", "--filter", $"name={stack}_worker", stack);
            Assert.DoesNotContain(webId[..12], byFullName.Stdout, StringComparison.Ordinal);
            Assert.Single(Engine.Lines(byFullName.Stdout));

            var psWeb = Engine.Berth(tmp, null, "stack", "ps", "--filter", "name=web", "--format", "json", stack);
            Assert.True(psWeb.ExitCode == 0, psWeb.ToString());
            Assert.Contains($"\"name\":\"{stack}_web.1\"", psWeb.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain($"{stack}_worker", psWeb.Stdout, StringComparison.Ordinal);

            var running = Engine.Berth(tmp, null, "stack", "ps", "-f", "desired-state=running", "--format", "json", stack);
            Assert.Contains($"\"name\":\"{stack}_worker.1\"", running.Stdout, StringComparison.Ordinal);
            var shutdown = Engine.Berth(tmp, null, "stack", "ps", "-f", "desired-state=shutdown", stack);
            Assert.Equal(1, shutdown.ExitCode);
            Assert.Contains("nothing found in stack", shutdown.Stderr, StringComparison.Ordinal);

            var hostname = Engine.Docker("node", "ls", "--format", "{{.Hostname}}").Stdout.Trim().Split('\n')[0];
            var onNode = Engine.Berth(tmp, null, "stack", "ps", "--filter", $"node={hostname}", "--filter", "name=worker", stack);
            Assert.True(onNode.ExitCode == 0, onNode.ToString());
            Assert.Contains($"{stack}_worker.1", onNode.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain($"{stack}_web", onNode.Stdout, StringComparison.Ordinal);

            var badKey = Engine.Berth(tmp, null, "stack", "ps", "--filter", "colour=blue", stack);
            Assert.Equal(2, badKey.ExitCode);
            Assert.Contains("invalid filter 'colour'", badKey.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    private static string Inspect(string service, string format) => Engine.Docker("service", "inspect", "--format", format, service).Stdout.Trim();

    private static Regex ProgressLine(string name, string counts, string state)
        => new($"(?m)^{Regex.Escape(name)}  {Regex.Escape(counts)}\\s+{Regex.Escape(state)}$");
}
