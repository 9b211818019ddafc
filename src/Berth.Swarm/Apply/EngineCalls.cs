using Docker.DotNet;

namespace Berth.Swarm.Apply;

/// <summary>
/// Every Engine API call of one deploy or removal goes through here: reads and writes are kept apart so the
/// mutating calls can be counted (an unchanged redeploy and <c>stack diff</c> must make none), and progress lines
/// from concurrent writes are serialized.
/// </summary>
internal sealed class EngineCalls(IDockerClient client, Action<string> progress)
{
    private readonly Lock _gate = new();
    private int _writes;

    public IDockerClient Client { get; } = client;

    public int Writes => Volatile.Read(ref _writes);

    public Task<T> Read<T>(Func<IDockerClient, Task<T>> call) => SwarmEngine.CallAsync(Client, call);

    public Task<T> Write<T>(Func<IDockerClient, Task<T>> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(Client, call);
    }

    public Task Write(Func<IDockerClient, Task> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(Client, call);
    }

    public void Report(string line)
    {
        lock (_gate)
        {
            progress(line);
        }
    }

    /// <summary>Cleanup that may fail (in use by a service outside the plan, already gone): reported, never fatal.</summary>
    public async Task<bool> TryRemove(string what, Func<IDockerClient, Task> call)
    {
        try
        {
            Report($"Removing {what}");
            await Write(call).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException ex)
        {
            Report($"Failed to remove {what}: {SwarmEngine.RefusalMessage(ex)}");
            return false;
        }
    }
}
