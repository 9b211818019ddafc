using System.Threading.Channels;

namespace Berth.Stacks.Events;

/// <summary>
/// A sink that queues events for an asynchronous reader (a web console streaming them): pass it to the operation,
/// read <see cref="ReadAllAsync"/> concurrently, and call <see cref="Complete"/> when the operation has returned.
/// Unbounded, so the operation never waits for a slow reader.
/// </summary>
public sealed class StackEventChannel : IStackEventSink
{
    private readonly Channel<StackEvent> _channel = Channel.CreateUnbounded<StackEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void Publish(StackEvent stackEvent) => _channel.Writer.TryWrite(stackEvent);

    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    public IAsyncEnumerable<StackEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);
}
