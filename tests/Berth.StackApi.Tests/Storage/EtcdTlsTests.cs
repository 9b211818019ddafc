using Berth.StackApi.Storage;
using Berth.Testing;
using static Berth.StackApi.Tests.Storage.EtcdFixture;

namespace Berth.StackApi.Tests.Storage;

/// <summary>A real etcd serving TLS and requiring client certificates (--etcd-cafile/--etcd-certfile/--etcd-keyfile).</summary>
public sealed class EtcdTlsTests : IAsyncLifetime
{
    private EtcdServer? _etcd;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EtcdServer Etcd => _etcd!;

    public async ValueTask InitializeAsync() => _etcd = await EtcdServer.StartNewAsync(tls: true, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    private EtcdStackStore Store(string? ca, string? cert, string? key)
        => new(new EtcdStoreOptions([Etcd.Endpoint], ca, cert, key) { CompactionInterval = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task WithCaAndClientCertificate_Works()
    {
        var tls = Etcd.Tls!;
        await using var store = Store(tls.CaFile, tls.ClientCertFile, tls.ClientKeyFile);
        var ns = NewNamespace();

        var created = await store.CreateAsync(Stack(ns, "secure"), new WriteOptions(), Ct);
        var list = await store.ListAsync(new ListOptions(ns), Ct);

        Assert.Equal(Rv(created), Rv(Assert.Single(list.Items)));
        Assert.True(await store.CheckHealthAsync(Ct));
    }

    [Fact]
    public async Task WithoutClientCertificate_IsUnavailable()
    {
        await using var store = Store(Etcd.Tls!.CaFile, null, null);

        var e = await Assert.ThrowsAsync<StoreException>(() => store.GetAsync(NewNamespace(), "x", Ct));

        Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
        Assert.False(await store.CheckHealthAsync(Ct));
    }

    [Fact]
    public async Task ServerNotSignedByGivenCa_IsRefused()
    {
        var other = TestCertificates.Create(Path.Combine(Etcd.DataDirectory, "other-pki"));
        var tls = Etcd.Tls!;
        await using var store = Store(other.CaFile, tls.ClientCertFile, tls.ClientKeyFile);

        var e = await Assert.ThrowsAsync<StoreException>(() => store.GetAsync(NewNamespace(), "x", Ct));

        Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
    }
}
