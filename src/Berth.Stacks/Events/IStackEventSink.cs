namespace Berth.Stacks.Events;

/// <summary>
/// Receives a stack operation's events in the order they happen, on the operation's own call path (a publisher that
/// works concurrently serializes its calls). Synchronous, so an event is handled before the operation goes on and
/// before it returns its result; a consumer that wants a stream wraps it (see <see cref="StackEventChannel"/>).
/// </summary>
public interface IStackEventSink
{
    void Publish(StackEvent stackEvent);
}

/// <summary>Ready-made sinks.</summary>
public static class StackEventSink
{
    /// <summary>Drops every event.</summary>
    public static IStackEventSink None { get; } = new ActionSink(_ => { });

    public static IStackEventSink From(Action<StackEvent> publish)
    {
        ArgumentNullException.ThrowIfNull(publish);
        return new ActionSink(publish);
    }

    /// <summary>Passes each event's one-line wording (<see cref="StackEventText"/>) to <paramref name="line"/>; progress events are dropped.</summary>
    public static IStackEventSink Lines(Action<string> line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new ActionSink(e =>
        {
            if (StackEventText.Line(e) is { } text)
            {
                line(text);
            }
        });
    }

    private sealed class ActionSink(Action<StackEvent> publish) : IStackEventSink
    {
        public void Publish(StackEvent stackEvent) => publish(stackEvent);
    }
}
