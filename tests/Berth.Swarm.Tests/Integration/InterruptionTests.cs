using System.Collections.Immutable;
using System.Diagnostics;
using Berth.Compose.Loading;
using Berth.Stacks;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// A deploy killed (SIGKILL of the real berth process) at seeded points between 50 ms and 2 s, then run again, must
/// converge to exactly the plan: every service once, no duplicate or orphaned service, network, secret or config
/// carrying the stack label, and a further deploy makes zero writes. Two versions of the file alternate, so kills
/// land in creates, in updates, and in the removal of old secret/config versions.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class InterruptionTests
{
    private const string Image = "berth-test/busybox:1";

    /// <summary>Fixed, so a failure can be replayed; the points spread over the process start, the reads and the writes.</summary>
    private const int Seed = 20261128;

    public InterruptionTests() => Engine.RequireSwarmManager();

    private static string App(string version) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {VERSION: "{{version}}"}
            secrets: [token, cert]
            configs: [settings]
            networks: [front, back]
          api:
            image: {{Image}}
            command: ["sleep", "3600"]
            secrets: [token]
            configs: [settings, routes]
            networks: [back]
          worker:
            image: {{Image}}
            command: ["sleep", "3600"]
            networks: [back]
          cache:
            image: {{Image}}
            command: ["sleep", "3600"]
            configs: [routes]
            networks: [back]
          cron:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {SCHEDULE: "@hourly"}
          edge:
            image: {{Image}}
            command: ["sleep", "3600"]
            networks: [front]
            deploy: {replicas: 2}
        networks:
          front: {}
          back: {}
        secrets:
          token: {environment: TOKEN}
          cert: {file: ./cert.txt}
        configs:
          settings: {content: "settings-{{version}}"}
          routes: {file: ./routes.txt}
        """;

    [Fact]
    public void Deploy_KilledAtRandomPoints_ThenRerun_ConvergesToThePlan_WithNoDuplicatesOrOrphans()
    {
        var stack = Engine.NewStackName("bk");
        var random = new Random(Seed);
        var delays = Enumerable.Range(0, 5).Select(_ => random.Next(50, 2001)).ToArray();
        var dirs = new List<string>();
        var killedMidWrite = 0;
        try
        {
            for (var round = 0; round < delays.Length; round++)
            {
                // Versions alternate: each round changes a secret, a config and one service over the previous one.
                var version = round % 2 == 0 ? "a" : "b";
                var dir = SwarmEngineTests.WriteProject(App(version));
                dirs.Add(dir);
                File.WriteAllText(Path.Combine(dir, "cert.txt"), "cert-" + version);
                File.WriteAllText(Path.Combine(dir, "routes.txt"), "routes-" + version);
                var environment = new Dictionary<string, string> { ["TOKEN"] = "token-" + version };

                var killed = RunAndKill(dir, environment, delays[round], stack);
                var wrote = killed.Contains("Creating ", StringComparison.Ordinal) || killed.Contains("Updating ", StringComparison.Ordinal) || killed.Contains("Removing ", StringComparison.Ordinal);
                var finished = killed.Contains($"Stack {stack}", StringComparison.Ordinal);
                killedMidWrite += wrote && !finished ? 1 : 0;
                TestContext.Current.TestOutputHelper?.WriteLine($"round {round}: version {version}, killed after {delays[round]} ms, {(finished ? "had finished" : wrote ? "after its writes began, before the end" : "before any write")}");
                var rerun = Engine.Berth(dir, environment, "stack", "deploy", "-c", "compose.yaml", "--timeout", "60", stack);
                Assert.True(rerun.ExitCode == 0, $"round {round} (killed after {delays[round]} ms; the killed run printed:\n{killed})\nrerun: {rerun}");

                AssertMatchesPlan(stack, Plan(dir, stack, environment), $"round {round}, killed after {delays[round]} ms");

                var again = Engine.Berth(dir, environment, "stack", "deploy", "-c", "compose.yaml", stack);
                Assert.True(again.ExitCode == 0, again.ToString());
                Assert.Contains($"Stack {stack} is up to date (6 services unchanged)", again.Stdout, StringComparison.Ordinal);
            }

            // Otherwise the seed only ever killed before or after the writes, and the test proves little.
            Assert.True(killedMidWrite >= 2, $"only {killedMidWrite} of {delays.Length} kills landed between the first and the last write; pick another seed");
        }
        finally
        {
            Engine.RemoveStack(stack);
            foreach (var dir in dirs)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Starts the real berth deploy and SIGKILLs it (with its children) after <paramref name="delayMs"/>; returns what it printed.</summary>
    private static string RunAndKill(string dir, IReadOnlyDictionary<string, string> environment, int delayMs, string stack)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { TestPaths.BerthDll, "stack", "deploy", "-c", "compose.yaml", stack })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Append(e.Data).Append('\n'); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Append(e.Data).Append('\n'); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(delayMs))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        lock (output)
        {
            return output.ToString();
        }
    }

    private static SwarmPlan Plan(string dir, string stack, IReadOnlyDictionary<string, string> environment)
    {
        var load = ProjectLoader.Load(new LoadOptions
        {
            Files = [Path.Combine(dir, "compose.yaml")],
            ProjectName = stack,
            WorkingDirectory = dir,
            Environment = environment.ToImmutableDictionary(),
        }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var plan = SwarmConverter.Convert(load.Project!, new SwarmConvertOptions { Stack = stack, Contents = ResourceContentReader.Read(load.Project!) });
        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        return plan;
    }

    /// <summary>Everything with the stack label, listed by the docker CLI (not the code under test), equals the plan, each name once.</summary>
    private static void AssertMatchesPlan(string stack, SwarmPlan plan, string when)
    {
        AssertSame("service", stack, plan.Services.Select(s => s.Name), when);
        AssertSame("network", stack, plan.Networks.Where(n => !n.External).Select(n => n.Name), when);
        AssertSame("secret", stack, plan.Secrets.Where(s => !s.External).Select(s => s.Name), when);
        AssertSame("config", stack, plan.Configs.Where(c => !c.External).Select(c => c.Name), when);

        // Each service carries the spec the plan wants (its hash), so nothing is left half-updated.
        foreach (var service in plan.Services)
        {
            var hash = Engine.Docker("service", "inspect", service.Name, "--format", $"{{{{index .Spec.Labels \"{SwarmLabels.SpecHash}\"}}}}");
            Assert.True(hash.ExitCode == 0, hash.ToString());
            Assert.True(hash.Stdout.Trim() == service.SpecHash, $"{when}: {service.Name} has spec hash {hash.Stdout.Trim()}, the plan {service.SpecHash}");
        }
    }

    private static void AssertSame(string kind, string stack, IEnumerable<string> expected, string when)
    {
        var listed = Engine.Docker(kind, "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}");
        Assert.True(listed.ExitCode == 0, listed.ToString());

        // A completed deploy also records its revision (a config labelled berth.io/stack-revision): history, not a
        // stack resource of the plan.
        var revisions = Engine.Docker(kind, "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--filter", $"label={StackRevisionLabels.Revision}", "--format", "{{.Name}}");
        Assert.True(revisions.ExitCode == 0, revisions.ToString());
        var history = Engine.Lines(revisions.Stdout).ToHashSet(StringComparer.Ordinal);
        var actual = Engine.Lines(listed.Stdout).Where(name => !history.Contains(name)).Order(StringComparer.Ordinal).ToArray();
        var wanted = expected.Order(StringComparer.Ordinal).ToArray();
        Assert.True(wanted.SequenceEqual(actual), $"{when}: {kind}s with the stack label\n  expected: {string.Join(", ", wanted)}\n  actual:   {string.Join(", ", actual)}");
    }
}
