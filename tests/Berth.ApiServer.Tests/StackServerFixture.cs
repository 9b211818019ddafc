using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>A real etcd (its own ports and data folder) and a standalone berth-apiserver on it, for one test class.</summary>
public sealed class StackServerFixture : IAsyncLifetime
{
    private EtcdServer? _etcd;
    private EtcdStackStore? _store;
    private RunningServer? _server;

    internal RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    public EtcdServer Etcd => _etcd ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _etcd = await EtcdServer.StartNewAsync(cancellationToken: TestContext.Current.CancellationToken);
        _store = new EtcdStackStore(new EtcdStoreOptions([_etcd.Endpoint]) { CompactionInterval = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5) });
        _server = await RunningServer.StartAsync(null, o => RunningServer.Standalone(o, _store), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }
}
