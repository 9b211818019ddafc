using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// "Converged" must be true when printed: the real berth command against the real engine, with services that crash
/// late, crash at once, crash only after an update, with an unchanged redeploy of a failing file, a job, Ctrl-C while
/// waiting, a redeploy right after rm, and rm --wait progress.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed partial class ConvergenceTests
{
    private const string Image = "berth-test/busybox:1";

    public ConvergenceTests() => Engine.RequireSwarmManager();

    private static string Service(string name, string command, int replicas = 1, string env = "v1") => $$"""
        services:
          {{name}}:
            image: {{Image}}
            command: ["sh", "-c", "{{command}}"]
            environment: {VERSION: "{{env}}"}
            deploy: {replicas: {{replicas}}}
        """;

    [Fact]
    public void Deploy_ServiceThatDiesAfterTwoSeconds_IsNeverConverged_AndRerunningTheFileFailsWithoutWrites()
    {
        var stack = Engine.NewStackName("cf");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Service("flaky", "sleep 2; echo dying; exit 1"));
            var watch = Stopwatch.StartNew();
            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "90s", stack);
            TestContext.Current.TestOutputHelper?.WriteLine($"failing deploy took {watch.Elapsed.TotalSeconds:0.0}s\n{result}");

            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.DoesNotMatch(ProgressLine($"{stack}_flaky", "converged"), result.Stdout);
            Assert.DoesNotContain("1/1 services converged", result.Stdout, StringComparison.Ordinal);
            Assert.Contains($"{stack}_flaky: task ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("non-zero exit (1)", result.Stderr, StringComparison.Ordinal);

            // A restart loop is reported as such, long before the 90s timeout.
            Assert.Contains("a service cannot converge on its own", result.Stderr, StringComparison.Ordinal);
            Assert.Contains($"{stack}_flaky  0/1    restarting: task ", result.Stdout, StringComparison.Ordinal);

            // Same file again: nothing to write, but the stack is not healthy, so no "up to date" and exit 3.
            var version = Inspect($"{stack}_flaky", "{{.Version.Index}}");
            var again = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "90s", stack);
            Assert.True(again.ExitCode == 3, again.ToString());
            Assert.DoesNotContain("is up to date (", again.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Updating service", again.Stdout, StringComparison.Ordinal);
            Assert.Contains($"stack {stack} is up to date but not healthy", again.Stderr, StringComparison.Ordinal);
            Assert.Contains("non-zero exit (1)", again.Stderr, StringComparison.Ordinal);
            Assert.Equal(version, Inspect($"{stack}_flaky", "{{.Version.Index}}"));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task Deploy_ServiceThatExitsAtOnce_IsNeverConverged_InAnyOfThreeRuns()
    {
        var stacks = Enumerable.Range(0, 3).Select(_ => Engine.NewStackName("ce")).ToArray();
        try
        {
            // Three independent deploys at once: the bug was a race with the first polls (wrongly converged in 2 of 3).
            var runs = stacks.Select(stack => Task.Run(() =>
            {
                var dir = SwarmEngineTests.WriteProject(Service("crash", "exit 1"));
                return Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "90s", stack);
            }, TestContext.Current.CancellationToken)).ToArray();
            var results = await Task.WhenAll(runs);

            for (var i = 0; i < stacks.Length; i++)
            {
                var result = results[i];
                Assert.True(result.ExitCode == 3, $"run {i}: {result}");
                Assert.DoesNotMatch(ProgressLine($"{stacks[i]}_crash", "converged"), result.Stdout);
                Assert.Contains("non-zero exit (1)", result.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var stack in stacks)
            {
                Engine.RemoveStack(stack);
            }
        }
    }

    [Fact]
    public void Deploy_UpdateWhoseNewTasksCrash_IsNotConvergedOffTheFirstPoll()
    {
        var stack = Engine.NewStackName("cu");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Service("web", "sleep 3600", replicas: 2));
            var good = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--stability", "1s", stack);
            Assert.True(good.ExitCode == 0, good.ToString());

            // Twice, with a different crashing spec each time: the old spec's running tasks must never count.
            foreach (var version in new[] { "bad1", "bad2" })
            {
                File.WriteAllText(Path.Combine(dir, "compose.yaml"), Service("web", "sleep 1; exit 1", replicas: 2, env: version));
                var bad = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "90s", stack);
                Assert.True(bad.ExitCode == 3, $"{version}: {bad}");
                Assert.Contains($"Updating service {stack}_web", bad.Stdout, StringComparison.Ordinal);
                Assert.DoesNotMatch(ProgressLine($"{stack}_web", "converged"), bad.Stdout);
                Assert.DoesNotContain("1/1 services converged", bad.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_HealthyStack_ConvergesAfterTheStabilityPeriod_AndAnUnchangedRedeployChecksAtOnce()
    {
        var stack = Engine.NewStackName("ch");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Service("web", "sleep 3600", replicas: 2));
            var watch = Stopwatch.StartNew();
            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            var first = watch.Elapsed;
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Matches(ProgressLine($"{stack}_web", "converged", "2/2"), result.Stdout);
            Assert.Contains("verifying it stays up for 5s", result.Stdout, StringComparison.Ordinal);

            // Docker's default stability period (5s) was waited for, on top of the tasks starting.
            Assert.True(first >= TimeSpan.FromSeconds(5), $"converged after {first.TotalSeconds:0.0}s, before the 5s stability period");

            watch.Restart();
            var again = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            var second = watch.Elapsed;
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains($"Stack {stack} is up to date (1 services unchanged)", again.Stdout, StringComparison.Ordinal);

            // Running for longer than the period already: converged at the first read, no waiting.
            Assert.DoesNotContain("verifying", again.Stdout, StringComparison.Ordinal);
            TestContext.Current.TestOutputHelper?.WriteLine($"healthy deploy: {first.TotalSeconds:0.00}s; unchanged redeploy: {second.TotalSeconds:0.00}s");
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_JobService_Completes()
    {
        var stack = Engine.NewStackName("cj");
        try
        {
            var dir = SwarmEngineTests.WriteProject($$"""
                services:
                  once:
                    image: {{Image}}
                    command: ["sh", "-c", "sleep 1"]
                    deploy: {mode: replicated-job, replicas: 2}
                """);
            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--timeout", "60s", stack);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Matches(ProgressLine($"{stack}_once", "completed", "2/2"), result.Stdout);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Deploy_InterruptedWhileWaiting_SaysSo_AndExits130()
    {
        var stack = Engine.NewStackName("ci");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Service("web", "sleep 3600"));
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { TestPaths.BerthDll, "stack", "deploy", "-c", "compose.yaml", "--timeout", "60s", "--stability", "50s", stack })
            {
                start.ArgumentList.Add(arg);
            }

            // A shell without job control starts background commands with SIGINT ignored, and berth would inherit
            // that: say so instead of failing on an interrupt that can never arrive.
            Assert.False(SigIntIgnored(), "SIGINT is ignored in this test process (started with '&' by a shell without job control); run the tests in the foreground");
            using var process = Process.Start(start)!;
            var stdout = new System.Text.StringBuilder();
            var stderr = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.Append(e.Data).Append('\n'); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.Append(e.Data).Append('\n'); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Interrupt once it is waiting (the service was created and progress is shown).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Text(stdout).Contains($"{stack}_web ", StringComparison.Ordinal) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }

            Assert.False(process.HasExited, $"deploy ended before it was interrupted:\n{Text(stdout)}\n{Text(stderr)}");
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            // A hang fails with what berth printed (and the process is killed, not left waiting).
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"berth did not stop within 60s of SIGINT\n{Text(stdout)}\n{Text(stderr)}");
            }

            process.WaitForExit();
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{Text(stdout)}\n{Text(stderr)}");
            Assert.Contains("interrupted", Text(stderr), StringComparison.Ordinal);
            Assert.DoesNotContain("did not converge", Text(stderr), StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    /// <summary>Bit 2 (SIGINT) of this process's ignored-signal mask (<c>SigIgn</c> in /proc/self/status).</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;
    }

    [Fact]
    public void Redeploy_RightAfterRmWithoutWait_WaitsForTheNetworkAndSucceeds()
    {
        var stack = Engine.NewStackName("cr");
        try
        {
            // sleep ignores SIGTERM, so the task takes the 10s grace period to stop and holds the network that long.
            var dir = SwarmEngineTests.WriteProject(Service("web", "sleep 3600"));
            var first = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--stability", "1s", stack);
            Assert.True(first.ExitCode == 0, first.ToString());

            var rm = Engine.Berth(dir, null, "stack", "rm", stack);
            Assert.True(rm.ExitCode == 0, rm.ToString());
            var redeploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--stability", "1s", "--timeout", "90s", stack);

            Assert.True(redeploy.ExitCode == 0, redeploy.ToString());
            Assert.Contains($"Waiting for the removal of stack {stack} to finish", redeploy.Stdout, StringComparison.Ordinal);
            Assert.Contains($"Creating network {stack}_default", redeploy.Stdout, StringComparison.Ordinal);
            Assert.Equal("1/1", Engine.Docker("service", "ls", "--filter", $"name={stack}_web", "--format", "{{.Replicas}}").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Rm_Wait_PrintsWhatIsStillBeingRemoved_OneLinePerChange()
    {
        var stack = Engine.NewStackName("cw");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Service("web", "sleep 3600", replicas: 2));
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--stability", "1s", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());

            var rm = Engine.Berth(dir, null, "stack", "rm", "--wait", stack);

            Assert.True(rm.ExitCode == 0, rm.ToString());
            Assert.Matches(new Regex($"(?m)^Waiting for 2 tasks and network {Regex.Escape(stack)}_default to be removed$"), rm.Stdout);
            Assert.Contains($"Stack {stack} removed", rm.Stdout, StringComparison.Ordinal);

            // About 10s of waiting (the tasks' stop grace period) prints a few lines, not one per poll.
            var waiting = Engine.Lines(rm.Stdout).Count(l => l.StartsWith("Waiting for", StringComparison.Ordinal));
            Assert.InRange(waiting, 1, 4);
            Assert.Equal(string.Empty, Engine.Docker("network", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim());
            Assert.Equal(string.Empty, Engine.Docker("ps", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    private static string Text(System.Text.StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string Inspect(string service, string format) => Engine.Docker("service", "inspect", "--format", format, service).Stdout.Trim();

    /// <summary>A progress line of the service with the state (and counts, when given).</summary>
    private static Regex ProgressLine(string name, string state, string? counts = null)
        => new($"(?m)^{Regex.Escape(name)}\\s+{(counts is null ? "\\d+/\\d+" : Regex.Escape(counts))}\\s+{Regex.Escape(state)}$");
}
