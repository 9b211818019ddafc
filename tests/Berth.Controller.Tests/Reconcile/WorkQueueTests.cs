using Berth.Controller.Reconcile;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>The work queue's client-go semantics: de-duplication, no key to two workers, per-key exponential backoff.</summary>
public sealed class WorkQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string?> TryGetAsync(WorkQueue<string> queue, TimeSpan within)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(within);
        try
        {
            return await queue.GetAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return null;
        }
    }

    [Fact]
    public async Task AKeyAddedTwiceWhileWaiting_IsHandedOutOnce()
    {
        var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("a", await TryGetAsync(queue, TimeSpan.FromSeconds(5)));
        Assert.Equal("b", await TryGetAsync(queue, TimeSpan.FromSeconds(5)));
        Assert.Null(await TryGetAsync(queue, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task AKeyAddedWhileProcessed_ComesBackOnlyAfterDone()
    {
        var queue = new WorkQueue<string>();
        queue.Add("a");
        var first = await TryGetAsync(queue, TimeSpan.FromSeconds(5));

        queue.Add("a");
        Assert.Null(await TryGetAsync(queue, TimeSpan.FromMilliseconds(200)));
        queue.Done(first!);

        Assert.Equal("a", await TryGetAsync(queue, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Backoff_DoublesPerFailure_FromFiveMilliseconds_UntilForgotten_CappedAt1000Seconds()
    {
        var queue = new WorkQueue<string>();

        Assert.Equal([5, 10, 20, 40], Enumerable.Range(0, 4).Select(_ => queue.NextDelay("a").TotalMilliseconds));
        Assert.Equal(5, queue.NextDelay("b").TotalMilliseconds);
        queue.Forget("a");
        Assert.Equal(5, queue.NextDelay("a").TotalMilliseconds);
        var delays = Enumerable.Range(0, 40).Select(_ => queue.NextDelay("c")).ToList();
        Assert.Equal(TimeSpan.FromSeconds(1000), delays[^1]);
        Assert.True(delays[^2] == TimeSpan.FromSeconds(1000) && delays[17] < TimeSpan.FromSeconds(1000));
    }

    [Fact]
    public async Task AddRateLimited_HandsTheKeyOutAfterItsDelay()
    {
        var queue = new WorkQueue<string>();
        // 5 ms doubled per failure: the eighth waits 640 ms, the tenth 2.56 s — seconds of margin past the 300 ms looked at.
        for (var i = 0; i < 9; i++)
        {
            queue.NextDelay("a");
        }

        var delay = queue.AddRateLimited("a", Ct);

        Assert.Equal(TimeSpan.FromMilliseconds(2560), delay);
        Assert.Null(await TryGetAsync(queue, TimeSpan.FromMilliseconds(300)));
        Assert.Equal("a", await TryGetAsync(queue, TimeSpan.FromSeconds(5)));
    }
}
