using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.Testing;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// A test double of the Kubernetes API server: an in-process HTTP server on 127.0.0.1 that stores objects in
/// memory and answers like the real server for the parts Berth uses (see README.md for what it simplifies).
/// It is not a cluster: nothing runs, unless <see cref="Controllers"/> simulates controllers and kubelet.
/// </summary>
public sealed partial class KubernetesApiDouble : IAsyncDisposable
{
    /// <summary>The user the bearer token belongs to (appears in 403 messages).</summary>
    public const string UserName = "berth-test";

    private readonly ObjectStore _store;
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _shutdown = new();
    private int _requestsInFlight;
    private readonly Lock _requestsGate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(string Verb, ResourceType? Type, string? Namespace)> _denials = [];
    private volatile bool _tokenExpired;
    private AggregationLayer? _aggregation;
    private X509Certificate2? _servingCa;
    private int? _writeBudget;
    private int _writesSinceBudget;
    private int _writes;
    private int _reads;

    private KubernetesApiDouble(ObjectStore store, WebApplication app, string token)
    {
        _store = store;
        _app = app;
        Token = token;
        Controllers = new SimulatedControllers(store, _shutdown.Token);
    }

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The bearer token the double accepts; any other (or none) is answered with 401.</summary>
    public string Token { get; }

    /// <summary>Simulated kube-controller-manager and kubelet (off by default).</summary>
    public SimulatedControllers Controllers { get; }

    /// <summary>Requests answered so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Write requests (create, update, patch, delete, deletecollection) answered, whatever their status.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Read requests (get, list, watch) answered, whatever their status.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Raised after each request is answered (for a watch: when its stream starts).</summary>
    public event Action<RecordedRequest>? RequestCompleted;

    public static Task<KubernetesApiDouble> StartAsync(CancellationToken ct = default) => StartAsync(https: false, ct);

    /// <summary>
    /// Starts the double; with <paramref name="https"/> it serves TLS with a certificate from its own CA
    /// (<see cref="ServingCaPem"/>, written into kubeconfigs), which kubectl and the docker CLI need before they
    /// send a bearer token at all (client-go sets the token only for TLS connections).
    /// </summary>
    public static async Task<KubernetesApiDouble> StartAsync(bool https, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Berth.Kubernetes.ApiDouble" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore();
        var serving = https ? ServingPair() : ((X509Certificate2 Ca, X509Certificate2 Leaf)?)null;
        if (https)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serving is not null)
            {
                listen.UseHttps(serving.Value.Leaf);
            }
        }));
        var app = builder.Build();
        var store = new ObjectStore(TimeProvider.System);
        var server = new KubernetesApiDouble(store, app, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        server._servingCa = serving?.Ca;
        var handler = new ApiRequestHandler(server, store, server._shutdown.Token);
        app.Run(async context =>
        {
            // Watches stay open for long; only ordinary requests count as "in flight" for WaitForRequestsAsync.
            var counted = context.Request.Query["watch"] is not ["true"] and not ["1"];
            if (counted)
            {
                Interlocked.Increment(ref server._requestsInFlight);
            }

            try
            {
                await handler.HandleAsync(context).ConfigureAwait(false);
            }
            finally
            {
                if (counted)
                {
                    Interlocked.Decrement(ref server._requestsInFlight);
                }
            }
        });
        lock (store.Gate)
        {
            store.Create(ResourceCatalog.Namespaces, null, Parse("""{"metadata":{"name":"default"}}"""), null, keepStatus: false);
            store.Create(ResourceCatalog.Nodes, null, SimulatedControllers.Node(), null, keepStatus: true);
        }

        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>A KubernetesClient for the double (bearer token, namespace "default").</summary>
    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration
    {
        Host = BaseAddress.ToString(),
        AccessToken = Token,
        Namespace = "default",
        SslCaCerts = _servingCa is null ? null : [_servingCa],
    });

    /// <summary>The CA of the HTTPS serving certificate (PEM), or null when the double serves plain HTTP.</summary>
    public string? ServingCaPem => _servingCa?.ExportCertificatePem();

    /// <summary>Writes a kubeconfig with one context pointing at the double; returns <paramref name="path"/>.</summary>
    public string WriteKubeconfig(string path, string contextName = "double", string? @namespace = null)
    {
        var namespaceLine = @namespace is null ? "" : $"\n    namespace: {@namespace}";
        var caLine = _servingCa is null ? "" : $"\n    certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(_servingCa.ExportCertificatePem() + "\n"))}";
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {contextName}
              cluster:
                server: {BaseAddress.ToString().TrimEnd('/')}{caLine}
            users:
            - name: {contextName}
              user:
                token: {Token}
            contexts:
            - name: {contextName}
              context:
                cluster: {contextName}
                user: {contextName}{namespaceLine}
            current-context: {contextName}

            """;
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The stored object, or null (bypasses HTTP; not logged or counted).</summary>
    public JsonObject? Get(string resource, string? @namespace, string name)
    {
        var type = ResourceCatalog.Require(resource);
        lock (_store.Gate)
        {
            return _store.Find(type, @namespace, name)?.Object.DeepClone() as JsonObject;
        }
    }

    /// <summary>Stored objects of a resource, in one namespace or all (bypasses HTTP).</summary>
    public IReadOnlyList<JsonObject> List(string resource, string? @namespace = null)
    {
        var type = ResourceCatalog.Require(resource);
        lock (_store.Gate)
        {
            return _store.List(type, @namespace);
        }
    }

    /// <summary>
    /// Stores an object as another client would (field manager "kubectl", operation Update), creating its
    /// namespace if missing; an existing object is replaced. Unlike a create over HTTP, status is kept.
    /// </summary>
    public JsonObject Seed(string json)
    {
        var obj = Parse(json);
        var apiVersion = obj["apiVersion"]?.ToString() ?? "";
        var kind = obj["kind"]?.ToString() ?? "";
        var type = ResourceCatalog.FindByKind(apiVersion, kind)
            ?? throw new ArgumentException($"The Kubernetes API test double does not serve {apiVersion} {kind}.", nameof(json));
        var name = obj["metadata"]?["name"]?.ToString() ?? throw new ArgumentException("metadata.name is required.", nameof(json));
        var ns = type.Namespaced ? obj["metadata"]?["namespace"]?.ToString() ?? "default" : null;
        lock (_store.Gate)
        {
            try
            {
                return SeedLocked(type, ns, name, obj);
            }
            catch (ApiException refused)
            {
                throw new InvalidOperationException($"The test double refused the seeded object: {refused.Message}", refused);
            }
        }
    }

    private JsonObject SeedLocked(ResourceType type, string? ns, string name, JsonObject obj)
    {
        if (ns is not null && !_store.NamespaceExists(ns))
        {
            _store.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, "kubectl", keepStatus: false);
        }

        if (_store.Find(type, ns, name) is null)
        {
            return _store.Create(type, ns, obj, "kubectl", keepStatus: true);
        }

        var replaced = _store.Replace(type, ns, name, WithoutResourceVersion(obj), "kubectl", statusOnly: false);
        if (obj["status"] is not null)
        {
            _store.ReplaceStatus(type, ns, name, obj["status"]);
            return (JsonObject)_store.Require(type, ns, name).Object.DeepClone();
        }

        return replaced;
    }

    /// <summary>Replaces an object's status, as a controller would (bypasses HTTP; bumps resourceVersion if it changes).</summary>
    public void SetStatus(string resource, string @namespace, string name, JsonObject status)
    {
        var type = ResourceCatalog.Require(resource);
        lock (_store.Gate)
        {
            if (_store.Find(type, @namespace, name) is null)
            {
                throw new InvalidOperationException($"{type.FullName} \"{name}\" does not exist in the test double.");
            }

            _store.ReplaceStatus(type, type.Namespaced ? @namespace : null, name, status);
        }
    }

    /// <summary>Deletes an object as another client would (with its dependents); false when it does not exist.</summary>
    public bool Delete(string resource, string? @namespace, string name)
    {
        var type = ResourceCatalog.Require(resource);
        lock (_store.Gate)
        {
            if (_store.Find(type, @namespace, name) is null)
            {
                return false;
            }

            _store.Delete(type, @namespace, name);
            return true;
        }
    }

    /// <summary>How long after a deletion the simulated garbage collector, namespace and pvc-protection controllers act (default 50 ms).</summary>
    public TimeSpan CollectorDelay
    {
        get
        {
            lock (_store.Gate)
            {
                return _store.CollectorDelay;
            }
        }
        set
        {
            lock (_store.Gate)
            {
                _store.CollectorDelay = value;
            }
        }
    }

    /// <summary>
    /// Completes when no collector pass is pending: background deletions, Terminating namespaces and released
    /// claims are done. Gives up after 10 s (a bug, not a slow machine).
    /// </summary>
    public async Task WaitUntilCollectedAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            lock (_store.Gate)
            {
                if (!_store.CollectionPending)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the Kubernetes API test double's collector did not finish within 10 s");
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a collector pass now (with <see cref="CollectorDelay"/> infinite, tests step the collector by hand).</summary>
    public void CollectNow()
    {
        lock (_store.Gate)
        {
            _store.CollectNow();
        }
    }

    /// <summary>The current resourceVersion (global counter).</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_store.Gate)
            {
                return _store.ResourceVersion;
            }
        }
    }

    /// <summary>Forgets watch history: a watch from any resourceVersion before now gets 410 Expired.</summary>
    public void CompactWatchHistory()
    {
        lock (_store.Gate)
        {
            _store.CompactHistory();
        }
    }

    public void ClearRequests()
    {
        lock (_requestsGate)
        {
            _requests.Clear();
            _writes = 0;
            _reads = 0;
        }
    }

    /// <summary>
    /// From now on, <paramref name="verb"/> (get, list, watch, create, update, patch, delete, deletecollection or
    /// "*") on <paramref name="resource"/> (plural[.group] or "*") is refused with 403, in one namespace or all.
    /// </summary>
    public void Deny(string verb, string resource, string? @namespace = null)
    {
        var type = resource == "*" ? null : ResourceCatalog.Require(resource);
        lock (_requestsGate)
        {
            _denials.Add((verb, type, @namespace));
        }
    }

    /// <summary>
    /// Completes when no request (watches aside) is being handled. A client that gives up on requests it already
    /// sent (a deploy failing on one write cancels the others) leaves them running here, as on a real server; tests
    /// that change the double's behaviour afterwards wait for them first.
    /// </summary>
    public async Task WaitForRequestsAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _requestsInFlight) > 0)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The double as kube-apiserver's aggregation layer: APIServices, the proxy to extension servers, TokenReview,
    /// SubjectAccessReview and more users (see README.md, "Aggregation").
    /// </summary>
    public AggregationLayer Aggregation => LazyInitializer.EnsureInitialized(ref _aggregation, () => new AggregationLayer(this));

    internal bool TokenExpired => _tokenExpired;

    /// <summary>Every request from now on is answered 401 Unauthorized.</summary>
    public void ExpireToken() => _tokenExpired = true;

    /// <summary>After <paramref name="writes"/> more successful writes, every write fails with 500 and changes nothing.</summary>
    public void FailWritesAfter(int writes)
    {
        lock (_store.Gate)
        {
            _writeBudget = writes;
            _writesSinceBudget = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        lock (_store.Gate)
        {
            _store.Stop();
            _store.Watches.CompleteAll();
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _aggregation?.Dispose();
        _shutdown.Dispose();
    }

    /// <summary>
    /// Authentication (bearer token), impersonation (Impersonation.cs) and authorization of a request to the double's
    /// own API: the default user's requests follow <see cref="Deny"/>; any other user's (an aggregation user, or whom
    /// a request impersonates) the per-user decision of <see cref="SubjectAllowed"/>, as RBAC would for them.
    /// </summary>
    internal RequestIdentity Authorize(HttpRequest request, ApiRoute? route, string verb)
    {
        if (_tokenExpired || Aggregation.Authenticate(request.Headers.Authorization.ToString()) is not { } requester)
        {
            throw ApiException.Unauthorized();
        }

        var identity = Impersonation.Resolve(this, requester, request.Headers);
        if (route is null)
        {
            return identity;
        }

        var user = identity.User;
        if (user.Name != UserName)
        {
            if (!SubjectAllowed(user.Name, user.Groups, verb, route.Type.Group, route.Type.Plural, route.Subresource ?? "", route.Namespace, route.Name))
            {
                throw ApiException.Forbidden(route.Type, route.Name, verb, user.Name, route.Namespace, route.Subresource);
            }

            return identity;
        }

        lock (_requestsGate)
        {
            var denied = _denials.Any(d => (d.Verb == "*" || d.Verb == verb) && (d.Type is null || d.Type == route.Type)
                && (d.Namespace is null || d.Namespace == route.Namespace));
            if (denied)
            {
                throw ApiException.Forbidden(route.Type, route.Name, verb, UserName, route.Namespace);
            }
        }

        return identity;
    }

    /// <summary>Called under the store lock before a write: fails it once the FailWritesAfter budget is spent.</summary>
    internal void BeforeWrite()
    {
        if (_writeBudget is { } budget && _writesSinceBudget >= budget)
        {
            throw ApiException.InternalError("the test double was told to fail writes (FailWritesAfter)");
        }
    }

    /// <summary>Called under the store lock after a successful write.</summary>
    internal void AfterWrite() => _writesSinceBudget++;

    internal void Record(RecordedRequest request)
    {
        lock (_requestsGate)
        {
            _requests.Add(request);
            if (request.IsWrite)
            {
                _writes++;
            }
            else if (request.IsRead)
            {
                _reads++;
            }
        }

        RequestCompleted?.Invoke(request);
    }

    private static JsonObject WithoutResourceVersion(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("resourceVersion");
        return copy;
    }

    internal static JsonObject Parse(string json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("Expected a JSON object.", nameof(json));

    private static (X509Certificate2 Ca, X509Certificate2 Leaf) ServingPair()
    {
        var ca = TestCertificates.CreateCa("berth-test-double-ca");
        return (ca, TestCertificates.CreateServer(ca, "kube-apiserver-test-double"));
    }
}
