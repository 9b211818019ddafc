using Berth.Cli.Output;
using Berth.Stacks.Progress;

namespace Berth.Swarm.Tests.Apply;

/// <summary>Redirected progress does not flood a log: repeated states and count changes are throttled per service.</summary>
public sealed class ConvergenceDisplayThrottleTests
{
    private sealed class FakeClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static string[] Lines(StringWriter output) => output.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void MissingImage_RetryCycle_OverFourSeconds_PrintsEachStateOnce_ThenTheFinalLineAndSummary()
    {
        // What the waiter reports every 200 ms while the engine retries a task whose image does not exist.
        string[] cycle = ["new", "pending", "assigned", "preparing", "rejected: No such image: nope:1"];
        var clock = new FakeClock();
        var output = new StringWriter();
        var display = new ConvergenceDisplay(output, interactive: false, clock, TimeSpan.FromSeconds(5));
        for (var poll = 0; poll < 20; poll++)
        {
            display.Update([new ServiceProgress("s_web", 0, 1, cycle[poll % cycle.Length], false, false), new ServiceProgress("s_db", 1, 1, "converged", true, false)]);
            clock.Now += TimeSpan.FromMilliseconds(200);
        }

        display.Complete([new ServiceProgress("s_web", 0, 1, "pending", false, false), new ServiceProgress("s_db", 1, 1, "converged", true, false)], converged: false);

        Assert.Equal(
            [
                "s_web  0/1    new",
                "s_db   1/1    converged",
                "s_web  0/1    pending",
                "s_web  0/1    assigned",
                "s_web  0/1    preparing",
                "s_web  0/1    rejected: No such image: nope:1",
                "s_web  0/1    pending",
                "1/2 services converged; not converged: s_web",
            ],
            Lines(output));
    }

    [Fact]
    public void CountChanges_AtMostOneLinePerInterval_DoneAtOnce()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var display = new ConvergenceDisplay(output, interactive: false, clock, TimeSpan.FromSeconds(5));
        void At(double seconds, ulong running, string state = "running", bool done = false)
        {
            clock.Now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero).AddSeconds(seconds);
            display.Update([new ServiceProgress("s_web", running, 4, state, done, false)]);
        }

        At(0, 0);
        At(1, 1);
        At(2, 2);
        At(5.5, 3);
        At(6, 3);
        At(7, 4, "converged", done: true);

        Assert.Equal(["s_web  0/4    running", "s_web  3/4    running", "s_web  4/4    converged"], Lines(output));
    }

    [Fact]
    public void Complete_PrintsTheFinalLineHeldBackByTheInterval()
    {
        var clock = new FakeClock();
        var output = new StringWriter();
        var display = new ConvergenceDisplay(output, interactive: false, clock, TimeSpan.FromSeconds(5));
        display.Update([new ServiceProgress("s_web", 0, 2, "running", false, false)]);
        display.Update([new ServiceProgress("s_web", 1, 2, "running", false, false)]);
        display.Complete([new ServiceProgress("s_web", 1, 2, "running", false, false)], converged: false);

        Assert.Equal(["s_web  0/2    running", "s_web  1/2    running", "0/1 services converged; not converged: s_web"], Lines(output));
    }
}
