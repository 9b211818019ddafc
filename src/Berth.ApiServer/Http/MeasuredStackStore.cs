using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Berth.StackApi.Storage;

namespace Berth.ApiServer.Http;

/// <summary>The store with each call's latency in etcd_request_duration_seconds (operation, type).</summary>
internal sealed class MeasuredStackStore(IStackStore inner) : IStackStore
{
    private static async Task<T> Measure<T>(string operation, Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            ServerMetrics.EtcdLatency.WithLabels(operation, "stacks").Observe(clock.Elapsed.TotalSeconds);
        }
    }

    public Task<JsonObject> CreateAsync(JsonObject stack, WriteOptions options, CancellationToken ct) => Measure("create", () => inner.CreateAsync(stack, options, ct));

    public Task<JsonObject> GetAsync(string ns, string name, CancellationToken ct) => Measure("get", () => inner.GetAsync(ns, name, ct));

    public Task<JsonObject> UpdateAsync(string ns, string name, Func<JsonObject, JsonObject> mutate, WriteOptions options, CancellationToken ct) => Measure("update", () => inner.UpdateAsync(ns, name, mutate, options, ct));

    public Task<DeleteResult> DeleteAsync(string ns, string name, DeleteOptions options, CancellationToken ct) => Measure("delete", () => inner.DeleteAsync(ns, name, options, ct));

    public Task<StackListResult> ListAsync(ListOptions options, CancellationToken ct) => Measure("list", () => inner.ListAsync(options, ct));

    public async IAsyncEnumerable<StoreWatchEvent> WatchAsync(WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in inner.WatchAsync(options, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    public Task<bool> CheckHealthAsync(CancellationToken ct) => Measure("health", () => inner.CheckHealthAsync(ct));
}
