using Berth.Stacks.Events;
using Berth.Stacks.Progress;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>Keeps every progress report so tests can see what the user would have seen.</summary>
internal sealed class RecordingReporter : IStackEventSink
{
    private readonly Lock _lock = new();
    private readonly List<IReadOnlyList<ServiceProgress>> _updates = [];

    public IReadOnlyList<ServiceProgress>? Completed { get; private set; }

    public bool? Converged { get; private set; }

    public IReadOnlyList<IReadOnlyList<ServiceProgress>> Updates
    {
        get
        {
            lock (_lock)
            {
                return [.. _updates];
            }
        }
    }

    public void Publish(StackEvent stackEvent)
    {
        switch (stackEvent)
        {
            case ServicesProgressed progressed:
                Update(progressed.Services);
                break;
            case ConvergenceFinished finished:
                Complete(finished.Services, finished.Converged);
                break;
        }
    }

    public void Update(IReadOnlyList<ServiceProgress> services)
    {
        lock (_lock)
        {
            _updates.Add([.. services]);
        }
    }

    public void Complete(IReadOnlyList<ServiceProgress> services, bool converged)
    {
        lock (_lock)
        {
            Completed = [.. services];
            Converged = converged;
        }
    }

    /// <summary>Waits until the waiter has reported at least once (it has listed and is now waiting).</summary>
    public Task FirstUpdateAsync(CancellationToken cancellationToken)
        => Poll.UntilAsync(() => Updates.Count > 0 || Completed is not null, "the waiter's first report", cancellationToken);
}
