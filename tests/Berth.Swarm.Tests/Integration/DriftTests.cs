using System.Diagnostics;
using System.Globalization;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Hand changes to a deployed stack (drift) and stacks written by <c>docker stack deploy</c> (takeover), against the
/// real engine: <c>stack diff</c> shows them with values, <c>stack deploy</c> corrects drift, a takeover of an equal
/// spec restarts no task, and afterwards a deploy writes nothing.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class DriftTests
{
    private const string Image = "berth-test/busybox:1";

    private const string App = $$$"""
        services:
          web:
            image: {{{Image}}}
            command: ["sleep", "3600"]
            environment: {MODE: one}
            labels: {tier: front}
            stop_grace_period: 2s
            networks: [front]
            deploy:
              replicas: 2
              labels: {owner: team}
              resources: {limits: {memory: 64M}}
              update_config: {parallelism: 2, order: start-first}
          worker:
            image: {{{Image}}}
            command: ["sleep", "3600"]
            deploy: {mode: global}
        networks:
          front: {}
        """;

    public DriftTests() => Engine.RequireSwarmManager();

    [Fact]
    public void HandScaleAndEnv_ShowInDiff_AreCorrectedByDeploy_ThenADeployWritesNothing()
    {
        var stack = Engine.NewStackName("dr");
        var dir = SwarmEngineTests.WriteProject(App);
        try
        {
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());

            var scale = Engine.Docker("service", "scale", "--detach", $"{stack}_web=3");
            Assert.True(scale.ExitCode == 0, scale.ToString());
            var env = Engine.Docker("service", "update", "--detach", "--env-add", "FOO=bar-value", $"{stack}_web");
            Assert.True(env.ExitCode == 0, env.ToString());

            var diff = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", stack);
            Assert.True(diff.ExitCode == 0, diff.ToString());
            Assert.Contains($"~ update service {stack}_web\n    Env: FOO removed\n    Replicas: 3 → 2\n", diff.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("bar-value", diff.Stdout, StringComparison.Ordinal);
            Assert.Contains($"Stack {stack}: 0 to create, 1 to update, 0 to remove, 1 services unchanged", diff.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, Engine.Berth(dir, null, "stack", "diff", "--exit-code", "-c", "compose.yaml", stack).ExitCode);

            var correct = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(correct.ExitCode == 0, correct.ToString());
            Assert.Matches($@"Updating service {stack}_web \(id: \w+\): Env, Replicas", correct.Stdout + correct.Stderr);
            var spec = Engine.Docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}} {{json .Spec.TaskTemplate.ContainerSpec.Env}}", $"{stack}_web");
            Assert.Equal("2 [\"MODE=one\"]", spec.Stdout.Trim());

            AssertNextDeployWritesNothing(dir, stack, unchanged: 2);
        }
        finally
        {
            Engine.RemoveStack(stack);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TakeoverOfADockerStackDeploy_RestartsNoTask_ThenADeployWritesNothing()
    {
        var stack = Engine.NewStackName("dt");
        var dir = SwarmEngineTests.WriteProject(App);
        try
        {
            var docker = Engine.DockerIn(dir, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack);
            Assert.True(docker.ExitCode == 0, docker.ToString());
            var tasks = WaitForRunningTasks(stack, 3);

            var diff = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", stack);
            Assert.True(diff.ExitCode == 0, diff.ToString());
            foreach (var service in new[] { "web", "worker" })
            {
                // The only difference is Berth's own label: one change line under each service.
                Assert.Matches($"~ update service {stack}_{service}\n    Labels: io.berth.spec-hash=[0-9a-f]{{16}} added\n(?!    )", diff.Stdout);
            }

            var takeover = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(takeover.ExitCode == 0, takeover.ToString());
            Assert.Contains($"Updating service {stack}_web (id: ", takeover.Stdout + takeover.Stderr, StringComparison.Ordinal);
            Assert.Contains("labels only, no task restarts", takeover.Stdout + takeover.Stderr, StringComparison.Ordinal);
            Assert.Equal(tasks, StableTasks(stack));
            Assert.Matches("^[0-9a-f]{16}$", Engine.Docker("service", "inspect", "--format", "{{index .Spec.Labels \"io.berth.spec-hash\"}}", $"{stack}_web").Stdout.Trim());
            AssertNextDeployWritesNothing(dir, stack, unchanged: 2);
        }
        finally
        {
            Engine.RemoveStack(stack);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void DockerStackDeployOverABerthStack_AndBerthAgain_RestartNoTask()
    {
        // Berth creates the services, so the task template docker compares with is the one Berth's converter wrote.
        var stack = Engine.NewStackName("db");
        var dir = SwarmEngineTests.WriteProject(App);
        try
        {
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            var tasks = WaitForRunningTasks(stack, 3);

            var docker = Engine.DockerIn(dir, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack);
            Assert.True(docker.ExitCode == 0, docker.ToString());
            Assert.Equal(tasks, StableTasks(stack));

            var again = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("labels only, no task restarts", again.Stdout + again.Stderr, StringComparison.Ordinal);
            Assert.Equal(tasks, StableTasks(stack));
            AssertNextDeployWritesNothing(dir, stack, unchanged: 2);
        }
        finally
        {
            Engine.RemoveStack(stack);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A deploy of the same file: reported unchanged, and no swarm-scoped create/update/remove event from the engine.</summary>
    private static void AssertNextDeployWritesNothing(string dir, string stack, int unchanged)
    {
        // Event times have one-second resolution, hence the pause.
        Thread.Sleep(1100);
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Contains($"Stack {stack} is up to date ({unchanged} services unchanged)", deploy.Stdout + deploy.Stderr, StringComparison.Ordinal);
        var events = Engine.Docker("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until.ToString(CultureInfo.InvariantCulture),
            "--filter", "type=service", "--filter", "type=secret", "--filter", "type=config", "--filter", "type=network", "--filter", "scope=swarm", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
        Assert.Equal(0, events.ExitCode);
        var mutations = Engine.Lines(events.Stdout).Where(l => l.Contains(stack, StringComparison.Ordinal) && !l.Contains(" connect ", StringComparison.Ordinal) && !l.Contains(" disconnect ", StringComparison.Ordinal)).ToList();
        Assert.True(mutations.Count == 0, "engine events during an unchanged deploy:\n" + string.Join('\n', mutations));
    }

    /// <summary>The stack's task IDs once <paramref name="count"/> tasks run and none is pending.</summary>
    private static List<string> WaitForRunningTasks(string stack, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var rows = Engine.Lines(Engine.Docker("stack", "ps", stack, "--no-trunc", "--format", "{{.ID}} {{.DesiredState}} {{.CurrentState}}").Stdout);
            if (rows.Length == count && rows.All(r => r.Contains(" Running Running", StringComparison.Ordinal)))
            {
                return [.. rows.Select(r => r.Split(' ')[0]).Order(StringComparer.Ordinal)];
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"stack {stack} did not reach {count} running tasks:\n{string.Join('\n', rows)}");
            Thread.Sleep(250);
        }
    }

    /// <summary>All task IDs the stack has (any state), after a pause long enough for a restart to have begun.</summary>
    private static List<string> StableTasks(string stack)
    {
        Thread.Sleep(3000);
        return [.. Engine.Lines(Engine.Docker("stack", "ps", stack, "-q", "--no-trunc").Stdout).Order(StringComparer.Ordinal)];
    }
}
