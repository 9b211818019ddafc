using System.Net;
using System.Text;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Berth.Testing;
using Docker.DotNet;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// <c>--resolve-image</c> against a stand-in Engine API (a loopback HTTP listener answering distribution inspect),
/// so both the pinned path and docker's fallback (registry unreachable: warn, keep the tag) run without a registry.
/// </summary>
public sealed class ImagePinningTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void WithDigest_AndWithoutDigest_AreInverse()
    {
        Assert.Equal($"nginx:1.27@{Digest}", ImagePinning.WithDigest("nginx:1.27", Digest));
        Assert.Equal($"nginx:1.27@{Digest}", ImagePinning.WithDigest($"nginx:1.27@{Digest}", Digest));
        Assert.Equal("nginx:1.27", ImagePinning.WithoutDigest($"nginx:1.27@{Digest}"));
    }

    [Fact]
    public async Task Always_PinsTheDigestTheEngineReports()
    {
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.OK, $$$"""{"Descriptor": {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "{{{Digest}}}", "size": 1}}""");
        var lines = new List<string>();

        var image = await ImagePinning.ResolveAsync(new EngineCalls(engine.Client, lines.Add), "nginx:1.27", null, ImageResolution.Always, TestContext.Current.CancellationToken);

        Assert.Equal($"nginx:1.27@{Digest}", image);
        Assert.Empty(lines);
        Assert.Equal(1, engine.Requests);
    }

    [Fact]
    public async Task RegistryUnreachable_KeepsTheTag_WithDockersWarning()
    {
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.InternalServerError, """{"message": "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host"}""");
        var lines = new List<string>();

        var image = await ImagePinning.ResolveAsync(new EngineCalls(engine.Client, lines.Add), "berth-test/busybox:1", null, ImageResolution.Always, TestContext.Current.CancellationToken);

        Assert.Equal("berth-test/busybox:1", image);
        var warning = Assert.Single(lines);
        Assert.Equal(ImagePinning.UnresolvedWarning("berth-test/busybox:1"), warning);
        Assert.Contains("could not be accessed on a registry to record its digest", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_SameReference_KeepsTheRunningDigestWithoutAsking()
    {
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.OK, "{}");

        var image = await ImagePinning.ResolveAsync(new EngineCalls(engine.Client, _ => { }), "nginx:1.27", $"nginx:1.27@{Digest}", ImageResolution.Changed, TestContext.Current.CancellationToken);

        Assert.Equal($"nginx:1.27@{Digest}", image);
        Assert.Equal(0, engine.Requests);
    }

    [Fact]
    public async Task Never_SendsTheReferenceAsWritten()
    {
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.OK, "{}");

        var image = await ImagePinning.ResolveAsync(new EngineCalls(engine.Client, _ => { }), "nginx:1.27", null, ImageResolution.Never, TestContext.Current.CancellationToken);

        Assert.Equal("nginx:1.27", image);
        Assert.Equal(0, engine.Requests);
    }

    [Fact]
    public async Task OneDeploy_LooksUpEachDistinctImageOnce_AndWarnsOnce()
    {
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.InternalServerError, """{"message": "dial tcp: lookup registry-1.docker.io: no such host"}""");
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var calls = new EngineCalls(engine.Client, lines.Enqueue);
        var cache = new ImagePinning.Cache();

        // As the deployer does for a 60-service stack of one image: many services resolving at once.
        var images = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => cache.ResolveAsync(calls, "berth-test/busybox:1", null, ImageResolution.Always, TestContext.Current.CancellationToken)));

        Assert.All(images, i => Assert.Equal("berth-test/busybox:1", i));
        Assert.Equal(1, engine.Requests);
        Assert.Equal(ImagePinning.UnresolvedWarning("berth-test/busybox:1"), Assert.Single(lines));
    }

    [Fact]
    public async Task ARegistryLookupThatStalls_FallsBackToTheTag_WithinTheBound()
    {
        // The engine never answers: the lookup returning at all shows the 300 ms bound ended it, with no race against
        // a reply. The 30 s only keeps a regression from holding the run (the engine client's own bound is 100 s).
        await using var engine = await StandInEngine.StartAsync(HttpStatusCode.OK, "{}", delay: Timeout.InfiniteTimeSpan);
        var lines = new List<string>();
        var cache = new ImagePinning.Cache(TimeSpan.FromMilliseconds(300));

        var image = await cache.ResolveAsync(new EngineCalls(engine.Client, lines.Add), "berth-test/busybox:1", null, ImageResolution.Always, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal("berth-test/busybox:1", image);
        Assert.Equal(ImagePinning.UnresolvedWarning("berth-test/busybox:1"), Assert.Single(lines));
    }

    /// <summary>Answers every request with one status and body, as the Engine API would for distribution inspect.</summary>
    private sealed class StandInEngine : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _loop;
        private readonly CancellationTokenSource _stopped = new();
        private int _requests;

        private StandInEngine(HttpListener listener, HttpStatusCode status, string body, Uri address, TimeSpan delay)
        {
            _listener = listener;
            Client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? $"tcp://{address.Authority}" : null);
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    try
                    {
                        // Until disposed, for an engine that never answers (Timeout.InfiniteTimeSpan).
                        await Task.Delay(delay, _stopped.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    try
                    {
                        context.Response.StatusCode = (int)status;
                        context.Response.ContentType = "application/json";
                        var bytes = Encoding.UTF8.GetBytes(body);
                        await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                        context.Response.Close();
                    }
                    catch (Exception ex) when (delay > TimeSpan.Zero && ex is HttpListenerException or ObjectDisposedException or IOException)
                    {
                        // A delayed answer's client may have given up (the lookup's bound) and closed the connection.
                    }
                }
            });
        }

        public EngineClient Client { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static Task<StandInEngine> StartAsync(HttpStatusCode status, string body, TimeSpan delay = default)
        {
            for (var attempt = 0; ; attempt++)
            {
                // The kernel picks a free port; the retry covers another process taking it before the listener binds.
                var port = FreePort.Loopback();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return Task.FromResult(new StandInEngine(listener, status, body, new Uri($"http://127.0.0.1:{port}"), delay));
                }
                catch (HttpListenerException) when (attempt < 20)
                {
                    listener.Close();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            // Close alone: Stop then Close removes the prefixes twice, and the managed HttpListener re-binds the port to
            // remove them again (\"Address already in use\" once another test holds it).
            _listener.Close();
            await _stopped.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stopped.Dispose();
        }
    }
}
