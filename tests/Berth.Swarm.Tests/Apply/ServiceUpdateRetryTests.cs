using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// The engine's "update out of sequence" (the service's version moved since it was read) is handled in one place,
/// <see cref="EngineCalls.UpdateServiceAsync"/>: read the version again and resend. Deploy's updates and
/// <see cref="ServiceRollback"/> both go through it; against a stand-in Engine API that refuses the first update.
/// </summary>
public sealed class ServiceUpdateRetryTests
{
    [Fact]
    public async Task AnUpdateOutOfSequence_ReadsTheVersionAgain_AndSendsTheUpdateOnce()
    {
        await using var engine = await ScriptedEngine.StartAsync(refuseUpdates: 1, versions: [42]);
        var calls = new EngineCalls(engine.Client, _ => { });

        await calls.UpdateServiceAsync("svc1", 7, version => new ServiceUpdateParameters { Service = new ServiceSpec { Name = "web" }, Version = version }, TestContext.Current.CancellationToken);

        Assert.Equal(["POST update version=7", "GET inspect", "POST update version=42"], engine.Log);
        Assert.Equal(2, calls.Writes);
    }

    [Fact]
    public async Task AnUpdateStillOutOfSequenceAfterThreeAttempts_IsTheEnginesError()
    {
        await using var engine = await ScriptedEngine.StartAsync(refuseUpdates: 3, versions: [8, 9]);
        var calls = new EngineCalls(engine.Client, _ => { });

        await Assert.ThrowsAsync<DockerApiException>(() => calls.UpdateServiceAsync("svc1", 7, version => new ServiceUpdateParameters { Service = new ServiceSpec { Name = "web" }, Version = version }, TestContext.Current.CancellationToken));

        Assert.Equal(["POST update version=7", "GET inspect", "POST update version=8", "GET inspect", "POST update version=9"], engine.Log);
    }

    [Fact]
    public async Task Rollback_RetriesAnUpdateOutOfSequence_WithTheVersionReadAgain()
    {
        // The first inspect is the rollback's own read (version 41); the second is the retry's (42).
        await using var engine = await ScriptedEngine.StartAsync(refuseUpdates: 1, versions: [41, 42]);
        var lines = new List<string>();
        var calls = new EngineCalls(engine.Client, lines.Add);

        var rolledBack = await ServiceRollback.RollBackAsync(calls, ["web"], TestContext.Current.CancellationToken);

        Assert.Equal(["web"], rolledBack);
        Assert.Equal(["GET inspect", "POST update version=41 rollback=previous", "GET inspect", "POST update version=42 rollback=previous"], engine.Log);
        Assert.Equal(["Rolling back service web"], lines);
    }

    /// <summary>
    /// A loopback Engine API: service inspect answers the next of <c>versions</c> (then the last again); service
    /// update refuses the first <c>refuseUpdates</c> calls with swarmkit's "update out of sequence", then succeeds.
    /// </summary>
    private sealed class ScriptedEngine : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _loop;
        private readonly ConcurrentQueue<string> _log = new();
        private int _refuse;
        private int _inspected;

        private ScriptedEngine(HttpListener listener, Uri address, int refuseUpdates, int[] versions)
        {
            _listener = listener;
            _refuse = refuseUpdates;
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

                    var path = context.Request.Url!.AbsolutePath;
                    var (status, body) = (HttpStatusCode.OK, "{}");
                    if (context.Request.HttpMethod == "POST" && path.EndsWith("/services/svc1/update", StringComparison.Ordinal))
                    {
                        var query = context.Request.QueryString;
                        _log.Enqueue($"POST update version={query["version"]}{(query["rollback"] is { } rollback ? $" rollback={rollback}" : string.Empty)}");
                        (status, body) = Interlocked.Decrement(ref _refuse) >= 0
                            ? (HttpStatusCode.InternalServerError, """{"message": "rpc error: code = Unknown desc = update out of sequence"}""")
                            : (HttpStatusCode.OK, """{"Warnings": []}""");
                    }
                    else if (context.Request.HttpMethod == "GET" && (path.EndsWith("/services/svc1", StringComparison.Ordinal) || path.EndsWith("/services/web", StringComparison.Ordinal)))
                    {
                        _log.Enqueue("GET inspect");
                        var version = versions[Math.Min(Interlocked.Increment(ref _inspected) - 1, versions.Length - 1)];
                        body = $$$"""{"ID": "svc1", "Version": {"Index": {{{version}}}}, "Spec": {"Name": "web"}, "PreviousSpec": {"Name": "web"}}""";
                    }

                    context.Response.StatusCode = (int)status;
                    context.Response.ContentType = "application/json";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                    context.Response.Close();
                }
            });
        }

        public EngineClient Client { get; }

        public IReadOnlyList<string> Log => [.. _log];

        public static Task<ScriptedEngine> StartAsync(int refuseUpdates, int[] versions)
        {
            for (var attempt = 0; ; attempt++)
            {
                var port = Random.Shared.Next(20000, 60000);
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return Task.FromResult(new ScriptedEngine(listener, new Uri($"http://127.0.0.1:{port}"), refuseUpdates, versions));
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
            await _loop.ConfigureAwait(false);
        }
    }
}
