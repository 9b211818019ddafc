using Berth.Stacks.Events;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// Every Engine API call of one deploy or removal goes through here: reads and writes are kept apart so the
/// mutating calls can be counted (an unchanged redeploy and <c>stack diff</c> must make none), and events from
/// concurrent writes are published one at a time.
/// </summary>
internal sealed class EngineCalls(EngineClient client, IStackEventSink events)
{
    /// <summary>Events as their one-line wording (tests).</summary>
    public EngineCalls(EngineClient client, Action<string> lines)
        : this(client, StackEventSink.Lines(lines))
    {
    }

    private readonly Lock _gate = new();
    private int _writes;

    public EngineClient Client { get; } = client;

    public int Writes => Volatile.Read(ref _writes);

    public Task<T> Read<T>(Func<EngineClient, Task<T>> call) => SwarmEngine.CallAsync(Client, call);

    public Task<T> Write<T>(Func<EngineClient, Task<T>> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(Client, call);
    }

    public Task Write(Func<EngineClient, Task> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(Client, call);
    }

    public void Publish(StackEvent stackEvent)
    {
        lock (_gate)
        {
            events.Publish(stackEvent);
        }
    }

    /// <summary>Cleanup that may fail (in use by a service outside the plan, already gone): reported, never fatal.</summary>
    public async Task<bool> TryRemove(string kind, string name, Func<EngineClient, Task> call)
    {
        try
        {
            Publish(new ObjectWriting(ObjectStep.Remove, kind, name));
            await Write(call).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException ex)
        {
            Publish(new ObjectWriteFailed(ObjectStep.Remove, kind, name, SwarmEngine.RefusalMessage(ex)));
            return false;
        }
    }

    /// <summary>
    /// Updates a service with the version read earlier. The engine bumps a service's version on its own when an
    /// earlier update finishes (its UpdateStatus changes), so "update out of sequence" means: read the version again
    /// and send the same request once more (up to 3 attempts). Deploys send the whole spec (the spec-hash label keeps
    /// that idempotent); a rollback sends rollback=previous, which the engine applies to whatever spec is current.
    /// </summary>
    public async Task UpdateServiceAsync(string id, ulong? version, Func<long, ServiceUpdateParameters> request, CancellationToken cancellationToken)
    {
        var current = (long)(version ?? 0);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Write(c => c.Swarm.UpdateServiceAsync(id, request(current), cancellationToken)).ConfigureAwait(false);
                return;
            }
            catch (DockerApiException ex) when (attempt < 3 && ex.ResponseBody?.Contains("update out of sequence", StringComparison.Ordinal) == true)
            {
                var live = await Read(c => c.Swarm.InspectServiceAsync(id, cancellationToken)).ConfigureAwait(false);
                current = (long)(live.Version?.Index ?? 0);
            }
        }
    }
}
