using Berth.Stacks.Events;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// Every API request of one deploy or removal goes through here: reads and writes are counted apart (an unchanged
/// redeploy and <c>stack diff</c> must make no write) and events from concurrent writes are published one at a time.
/// </summary>
internal sealed class ApiCalls(IKubernetes client, IStackEventSink events)
{
    private readonly Lock _gate = new();
    private int _writes;
    private int _reads;

    public IKubernetes Client { get; } = client;

    public int Writes => Volatile.Read(ref _writes);

    public int Reads => Volatile.Read(ref _reads);

    public Task<T> Read<T>(Func<IKubernetes, Task<T>> call)
    {
        Interlocked.Increment(ref _reads);
        return call(Client);
    }

    public Task<T> Write<T>(Func<IKubernetes, Task<T>> call)
    {
        Interlocked.Increment(ref _writes);
        return call(Client);
    }

    public Task Write(Func<IKubernetes, Task> call)
    {
        Interlocked.Increment(ref _writes);
        return call(Client);
    }

    public void Publish(StackEvent stackEvent)
    {
        lock (_gate)
        {
            events.Publish(stackEvent);
        }
    }
}
