using System.Text.Json.Nodes;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.StackApi.Tests.Storage;

/// <summary>One real etcd per test class (its own ports and data folder), and a store on it.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _etcd;
    private EtcdStackStore? _store;

    public EtcdServer Etcd => _etcd ?? throw new InvalidOperationException("not started");

    public EtcdStackStore Store => _store ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _etcd = await EtcdServer.StartNewAsync(TestContext.Current.CancellationToken);
        _store = NewStore();
    }

    /// <summary>A store on this etcd; the class fixture's has no compactor and second-scale bookmarks.</summary>
    public EtcdStackStore NewStore(TimeSpan? compactionInterval = null)
        => new(new EtcdStoreOptions([Etcd.Endpoint])
        {
            CompactionInterval = compactionInterval ?? TimeSpan.Zero,
            RequestTimeout = TimeSpan.FromSeconds(5),
            BookmarkInterval = TimeSpan.FromSeconds(1),
            BookmarkBeforeTimeout = TimeSpan.FromMilliseconds(500),
        });

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    /// <summary>A namespace of its own for each test, so tests sharing one etcd do not see each other.</summary>
    public static string NewNamespace() => "ns-" + Guid.NewGuid().ToString("N")[..10];

    public static JsonObject Stack(string ns, string name, JsonObject? labels = null, string image = "nginx:1.27")
        => new()
        {
            ["apiVersion"] = "compose.docker.com/v1alpha3",
            ["kind"] = "Stack",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = labels ?? [],
            },
            ["spec"] = new JsonObject
            {
                ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = image }),
            },
        };

    public static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    public static string? Meta(JsonObject obj, string field) => obj["metadata"]?[field]?.ToString();
}
