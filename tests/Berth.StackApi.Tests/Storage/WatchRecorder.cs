using System.Threading.Channels;
using Berth.StackApi.Storage;

namespace Berth.StackApi.Tests.Storage;

/// <summary>Pumps a watch into a channel so the test can wait for each event with a deadline.</summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly Channel<StoreWatchEvent> _events = Channel.CreateUnbounded<StoreWatchEvent>();
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

    public WatchRecorder(IStackStore store, WatchOptions options)
    {
        Pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.WatchAsync(options, _stop.Token))
                {
                    await _events.Writer.WriteAsync(e, CancellationToken.None);
                }
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>Ends when the watch ends; faults with what it threw.</summary>
    public Task Pump { get; }

    public async Task<StoreWatchEvent> NextAsync(bool skipBookmarks = true)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(EventTimeout);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(deadline.Token);
            if (!skipBookmarks || e.Type != StoreWatchEventType.Bookmark)
            {
                return e;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Pump.WaitAsync(EventTimeout, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // The watch ended because we stopped it.
        }

        _stop.Dispose();
    }
}
