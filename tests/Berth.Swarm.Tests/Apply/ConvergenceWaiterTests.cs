using System.Globalization;
using System.Net;
using Berth.Stacks.Events;
using Berth.Stacks.Progress;
using Berth.Swarm.Apply;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// <see cref="ConvergenceWaiter"/> against a stand-in engine (<see cref="FakeEngine"/>) whose services and
/// current-spec tasks the test sets: when it declares a stack converged, how long it keeps verifying, when it gives
/// up and which failures it names.
/// </summary>
public sealed class ConvergenceWaiterTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>Keeps the waiter's progress events: every <see cref="ServicesProgressed"/> and the final <see cref="ConvergenceFinished"/>.</summary>
    private sealed class Recorder : IStackEventSink
    {
        public List<IReadOnlyList<ServiceProgress>> Updates { get; } = [];

        public (IReadOnlyList<ServiceProgress> Services, bool Converged)? Completed { get; private set; }

        public void Publish(StackEvent stackEvent)
        {
            lock (Updates)
            {
                switch (stackEvent)
                {
                    case ServicesProgressed progressed:
                        Updates.Add(progressed.Services);
                        break;
                    case ConvergenceFinished finished:
                        Completed = (finished.Services, finished.Converged);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static string Time(DateTime value) => value.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static string Service(string id, string name, string mode) => $$$"""{"ID":"{{{id}}}","Version":{"Index":3},"Spec":{"Name":"{{{name}}}","Mode":{{{mode}}}}}""";

    private static string Task(string id, string service, int slot, string state, DateTime since, string err = "", string desired = "running")
        => $$$"""{"ID":"{{{id}}}","ServiceID":"{{{service}}}","Slot":{{{slot}}},"DesiredState":"{{{desired}}}","UpdatedAt":"{{{Time(since)}}}","Status":{"State":"{{{state}}}","Timestamp":"{{{Time(since)}}}","Err":"{{{err}}}"}}""";

    private static async Task<(bool Converged, IReadOnlyList<string> Failures, Recorder Reporter, int ServiceReads)> WaitAsync(
        Func<string> services, Func<string> tasks, TimeSpan stability, TimeSpan timeout, params string[] names)
    {
        await using var fake = FakeEngine.Start((method, path) => FakeEngine.Unversioned(path) switch
        {
            "/services" => (HttpStatusCode.OK, services()),
            "/tasks" => (HttpStatusCode.OK, tasks()),
            _ => (HttpStatusCode.NotFound, """{"message":"unexpected request"}"""),
        });
        using var client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? fake.Host : null);
        var reporter = new Recorder();
        var settings = new ConvergenceSettings(timeout, TimeSpan.FromMilliseconds(50), stability, TimeSpan.Zero, RollingBack: false);

        var (converged, failures) = await new ConvergenceWaiter(new EngineCalls(client, reporter)).WaitAsync(names, settings, Ct);

        return (converged, failures, reporter, fake.Requests.Count(r => FakeEngine.Unversioned(r.Path) == "/services"));
    }

    [Fact]
    public async Task ServiceRunningLongerThanTheStabilityPeriod_IsConvergedAtTheFirstRead()
    {
        var since = DateTime.UtcNow.AddMinutes(-10);
        var (converged, failures, reporter, reads) = await WaitAsync(
            () => $"[{Service("s1", "demo_web", """{"Replicated":{"Replicas":2}}""")}]",
            () => $"[{Task("t1", "s1", 1, "running", since)},{Task("t2", "s1", 2, "running", since)}]",
            stability: TimeSpan.FromSeconds(5), timeout: TimeSpan.FromSeconds(20), "demo_web");

        Assert.True(converged);
        Assert.Empty(failures);
        Assert.Equal(1, reads);
        Assert.Empty(reporter.Updates);
        var web = Assert.Single(reporter.Completed!.Value.Services);
        Assert.Equal(new ServiceProgress("demo_web", 2, 2, "converged", Done: true, Failed: false), web);
    }

    [Fact]
    public async Task ServiceThatJustStarted_IsVerifiedForTheStabilityPeriod_ThenConverged()
    {
        // The task starts when the waiter first reads it (not when the test starts: the first read may come late on a
        // loaded machine); the stability leaves a wide margin for that read to reach the waiter's clock.
        var started = new Lazy<DateTime>(() => DateTime.UtcNow);
        var (converged, _, reporter, reads) = await WaitAsync(
            () => $"[{Service("s1", "demo_web", """{"Replicated":{"Replicas":1}}""")}]",
            () => $"[{Task("t1", "s1", 1, "running", started.Value)}]",
            stability: TimeSpan.FromSeconds(2), timeout: TimeSpan.FromSeconds(20), "demo_web");

        var elapsed = DateTime.UtcNow - started.Value;
        Assert.True(converged);
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"converged {elapsed.TotalMilliseconds} ms after the task started, before the stability period");
        Assert.True(reads > 1, $"{reads} read(s) of the services");
        Assert.Equal("running, verifying it stays up for 2s", reporter.Updates[0].Single().State);
        Assert.False(reporter.Updates[0].Single().Done);
    }

    [Fact]
    public async Task CompletedJob_IsDone_WithoutStabilityWait()
    {
        var (converged, _, reporter, reads) = await WaitAsync(
            () => $"[{Service("s1", "demo_migrate", """{"ReplicatedJob":{"MaxConcurrent":1,"TotalCompletions":1}}""")}]",
            () => $"[{Task("t1", "s1", 0, "complete", DateTime.UtcNow, desired: "complete")}]",
            stability: TimeSpan.FromSeconds(30), timeout: TimeSpan.FromSeconds(20), "demo_migrate");

        Assert.True(converged);
        Assert.Equal(1, reads);
        Assert.Equal("completed", reporter.Completed!.Value.Services.Single().State);
    }

    [Fact]
    public async Task ARestartLoop_FailsAtOnce_WithTheTasksError()
    {
        var now = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (converged, failures, reporter, _) = await WaitAsync(
            () => $"[{Service("s1", "demo_web", """{"Replicated":{"Replicas":1}}""")}]",
            () => "[" + string.Join(',', Task("t1", "s1", 1, "failed", now.AddSeconds(-20), "non-zero exit (1)", "shutdown"), Task("t2", "s1", 1, "failed", now.AddSeconds(-10), "non-zero exit (1)", "shutdown"), Task("t3", "s1", 1, "failed", now.AddSeconds(-2), "non-zero exit (1)", "shutdown"), Task("t4", "s1", 1, "starting", now)) + "]",
            stability: TimeSpan.FromSeconds(5), timeout: TimeSpan.FromMinutes(5), "demo_web");

        Assert.False(converged);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "a restart loop must not wait for the timeout");
        Assert.True(reporter.Completed!.Value.Services.Single().Failed);
        Assert.Equal("demo_web: task t3 failed: non-zero exit (1)", Assert.Single(failures));
    }

    [Fact]
    public async Task AServiceThatNeverGetsItsTasks_GivesUpAtTheTimeout_NamingIt()
    {
        var (converged, failures, reporter, reads) = await WaitAsync(
            () => $"[{Service("s1", "demo_web", """{"Replicated":{"Replicas":2}}""")}]",
            () => $"[{Task("t1", "s1", 1, "running", DateTime.UtcNow.AddMinutes(-5))},{Task("t2", "s1", 2, "pending", DateTime.UtcNow, "no suitable node (insufficient resources on 1 node)")}]",
            stability: TimeSpan.FromMilliseconds(100), timeout: TimeSpan.FromSeconds(5), "demo_web");

        // The timeout leaves room for several 50 ms polls even on a loaded machine, where one read can take seconds.
        Assert.False(converged);
        Assert.True(reads > 1, $"{reads} read(s) of the services before giving up");
        Assert.False(reporter.Completed!.Value.Converged);
        Assert.Equal("demo_web: task t2 pending: no suitable node (insufficient resources on 1 node)", Assert.Single(failures));
    }

    [Fact]
    public async Task AMissingService_IsNotConverged()
    {
        var (converged, failures, _, _) = await WaitAsync(() => "[]", () => "[]", stability: TimeSpan.FromMilliseconds(100), timeout: TimeSpan.FromMilliseconds(300), "demo_web");

        Assert.False(converged);
        Assert.StartsWith("demo_web: ", Assert.Single(failures), StringComparison.Ordinal);
    }
}
