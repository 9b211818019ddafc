using System.Collections.Immutable;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// The double acting as kube-apiserver's aggregation layer (kube-aggregator) in front of a real extension API
/// server: APIService objects, the proxy to the backend with the front-proxy client certificate and X-Remote-*
/// headers, merged discovery, TokenReview, SubjectAccessReview with a test-settable rule set, and the ConfigMap
/// kube-system/extension-apiserver-authentication. Still a test double: the "Service and Endpoints" of an
/// APIService are a URL the test sets with <see cref="SetServiceEndpoint"/>.
/// </summary>
public sealed class AggregationLayer : IDisposable
{
    /// <summary>The front-proxy client certificate's CN (kubeadm's name for it).</summary>
    public const string FrontProxyClientName = "front-proxy-client";

    private const string RegistrationGroup = "apiregistration.k8s.io";
    private const string AuthenticationGroup = "authentication.k8s.io";
    private const string AuthorizationGroup = "authorization.k8s.io";
    private const string ApiServicesResource = "apiservices.apiregistration.k8s.io";

    private readonly KubernetesApiDouble _server;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Name), Uri> _endpoints = [];
    private readonly Dictionary<string, DoubleUser> _users = new(StringComparer.Ordinal);
    private readonly List<RbacRule> _rules = [];
    private readonly X509Certificate2 _proxyClient;

    internal AggregationLayer(KubernetesApiDouble server)
    {
        _server = server;
        RequestHeaderCa = TestCertificates.CreateCa("front-proxy-ca");
        ClientCa = TestCertificates.CreateCa("kubernetes-client-ca");
        _proxyClient = TestCertificates.CreateClient(RequestHeaderCa, FrontProxyClientName);
        DefaultUser = new DoubleUser(KubernetesApiDouble.UserName, "berth-test-uid", ["system:authenticated"], ImmutableDictionary<string, ImmutableArray<string>>.Empty);
        _users[server.Token] = DefaultUser;
        // The double's own user may do everything, as before aggregation existed.
        _rules.Add(new RbacRule(KubernetesApiDouble.UserName, ["*"], "*", ["*", "nonresource:*"]));
        // The ClusterRoles system:discovery and system:public-info-viewer: any authenticated user may read
        // discovery, OpenAPI and version paths.
        _rules.Add(new RbacRule("group:system:authenticated", ["get"], "", ["nonresource:*"]));
    }

    /// <summary>The request-header CA (front-proxy CA): give it to the backend as --requestheader-client-ca-file.</summary>
    public X509Certificate2 RequestHeaderCa { get; }

    public string RequestHeaderCaPem => RequestHeaderCa.ExportCertificatePem() + "\n";

    /// <summary>
    /// The CA kube-apiserver's --client-ca-file would name: published as client-ca-file in
    /// kube-system/extension-apiserver-authentication, so certificates it signs are users to extension servers.
    /// </summary>
    public X509Certificate2 ClientCa { get; }

    /// <summary>The front-proxy client certificate (CN front-proxy-client), for tests that play the front themselves.</summary>
    public X509Certificate2 FrontProxyClientCertificate => _proxyClient;

    /// <summary>The user of the double's <see cref="KubernetesApiDouble.Token"/> ("berth-test", allowed everything).</summary>
    public DoubleUser DefaultUser { get; }

    /// <summary>Writes the request-header CA as PEM to <paramref name="path"/>; returns the path.</summary>
    public string WriteRequestHeaderCa(string path)
    {
        File.WriteAllText(path, RequestHeaderCaPem);
        return path;
    }

    /// <summary>
    /// Test-only stand-in for a Service and its Endpoints: requests for APIServices whose spec.service is
    /// <paramref name="namespace"/>/<paramref name="name"/> go to <paramref name="backend"/> (https://127.0.0.1:port).
    /// Also publishes kube-system/extension-apiserver-authentication, as kube-apiserver always does.
    /// </summary>
    public void SetServiceEndpoint(string @namespace, string name, Uri backend)
    {
        lock (_gate)
        {
            _endpoints[(@namespace, name)] = backend;
        }

        PublishAuthenticationConfigMap();
    }

    /// <summary>Forgets the endpoint: the backend is "down" (proxied requests get a plain-text 503).</summary>
    public void RemoveServiceEndpoint(string @namespace, string name)
    {
        lock (_gate)
        {
            _endpoints.Remove((@namespace, name));
        }
    }

    /// <summary>A user the double authenticates by <paramref name="token"/> (system:authenticated is added).</summary>
    public DoubleUser AddUser(string token, string name, params string[] groups)
        => AddUserAs(token, new DoubleUser(name, name + "-uid", [.. groups, "system:authenticated"], ImmutableDictionary<string, ImmutableArray<string>>.Empty));

    /// <summary>A user the double authenticates by <paramref name="token"/> exactly as given (extra included).</summary>
    public DoubleUser AddUserAs(string token, DoubleUser user)
    {
        lock (_gate)
        {
            _users[token] = user;
        }

        return user;
    }

    /// <summary>Adds an allow rule; SubjectAccessReviews and the double's own aggregation endpoints follow the rules.</summary>
    public void Allow(RbacRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>The stored APIService objects (with computed status), by name.</summary>
    public IReadOnlyList<JsonObject> ApiServices
    {
        get
        {
            var stored = StoredApiServices();
            lock (_gate)
            {
                return [.. stored.Select(WithStatus)];
            }
        }
    }

    internal DoubleUser? Authenticate(string authorization)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        lock (_gate)
        {
            return _users.GetValueOrDefault(authorization["Bearer ".Length..].Trim());
        }
    }

    /// <summary>True for users added with <see cref="AddUser"/> (and the default user): the rules decide for them.</summary>
    internal bool Governs(string userName)
    {
        lock (_gate)
        {
            return _users.Values.Any(u => u.Name == userName);
        }
    }

    /// <summary>The user a TokenReview of <paramref name="token"/> answers, or null.</summary>
    internal DoubleUser? UserOfToken(string token) => Authenticate("Bearer " + token);

    // The rules' decision: system:masters is allowed everything (as kube-apiserver's privileged group).
    internal bool Allowed(DoubleUser user, string verb, string group, string resource, string subresource, string? @namespace, string? name = null)
    {
        if (user.Groups.Contains("system:masters"))
        {
            return true;
        }

        lock (_gate)
        {
            return _rules.Any(r => r.Matches(user, verb, group, resource, subresource, @namespace, name));
        }
    }

    internal bool AllowedPathFor(string user, IEnumerable<string> groups, string verb)
        => AllowedPath(new DoubleUser(user, "", [.. groups], ImmutableDictionary<string, ImmutableArray<string>>.Empty), verb);

    private bool AllowedPath(DoubleUser user, string verb)
    {
        if (user.Groups.Contains("system:masters"))
        {
            return true;
        }

        lock (_gate)
        {
            return _rules.Any(r => r.Matches(user, verb, "", "nonresource:*", "", null) || (r.ApiGroup == "*" && r.Matches(user, verb, "*", "*", "", null)));
        }
    }

    /// <summary>
    /// Answers the request when it is the aggregation layer's: APIServices, reviews, merged discovery, a proxied
    /// group version, merged OpenAPI v3. False: the double's own handler answers it.
    /// </summary>
    internal async Task<bool> TryHandleAsync(HttpContext context, bool tokenExpired)
    {
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kind = Classify(segments);

        // APIServices are stored objects of the double (ResourceCatalog): writes go through its store (apply,
        // managedFields, validation in SpecValidation); reads are answered here to add the computed status and the table.
        if (kind == RouteKind.None || (kind == RouteKind.ApiServices && !HttpMethods.IsGet(context.Request.Method)))
        {
            return false;
        }

        var query = context.Request.QueryString.Value ?? "";
        var cancellation = context.RequestAborted;
        string? body = null;
        if (kind != RouteKind.Proxy && (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method)))
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(cancellation).ConfigureAwait(false);
        }

        var target = ResourceTarget.Of(segments);
        var verb = Verb(context.Request, target);
        var recorded = new RecordedRequest(context.Request.Method, path, query, verb, target?.FullResource, target?.Namespace, target?.Name, 0, body, target?.Subresource is { Length: > 0 } s ? s : null, context.Request.ContentType?.Split(';')[0].Trim());

        // kube-apiserver authenticates the caller itself before anything is proxied (handler_proxy.go runs
        // behind the authentication and authorization filters).
        var user = tokenExpired ? null : Authenticate(context.Request.Headers.Authorization.ToString());
        try
        {
            if (user is null)
            {
                throw ApiException.Unauthorized();
            }

            // The impersonation filter runs before the aggregator's proxy: the backend sees the impersonated user.
            var identity = Impersonation.Resolve(_server, user, context.Request.Headers);
            user = identity.User;
            recorded = recorded with { User = user, ImpersonatedBy = identity.ImpersonatedBy };

            if (target is not null ? !_server.SubjectAllowed(user.Name, user.Groups, verb, target.Group, target.Resource, target.Subresource, target.Namespace) : !AllowedPath(user, verb))
            {
                throw target is not null ? Forbidden(target, verb, user.Name) : new ApiException(403, "Forbidden", $"forbidden: User \"{user.Name}\" cannot {verb} path \"{path}\"");
            }

            switch (kind)
            {
                case RouteKind.Proxy:
                    await ProxyAsync(context, segments[1], segments[2], user, recorded, cancellation).ConfigureAwait(false);
                    return true;
                case RouteKind.OpenApiDocument:
                    await ProxyAsync(context, segments[3], segments[4], Aggregator("system:aggregator"), recorded, cancellation).ConfigureAwait(false);
                    return true;
                default:
                    var (code, answer) = kind switch
                    {
                        RouteKind.ApiServices => ApiServiceRequest(context.Request.Method, target!.Name, body, context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal)),
                        RouteKind.OpenApiRoot => (200, await OpenApiRootAsync(cancellation).ConfigureAwait(false)),
                        _ => (200, Discovery(segments)),
                    };
                    await WriteJsonAsync(context, recorded, code, answer, cancellation).ConfigureAwait(false);
                    return true;
            }
        }
        catch (ApiException refused)
        {
            await WriteJsonAsync(context, recorded, refused.Code, refused.ToStatus(), cancellation).ConfigureAwait(false);
            return true;
        }
    }

    private async Task WriteJsonAsync(HttpContext context, RecordedRequest recorded, int code, JsonNode answer, CancellationToken cancellation)
    {
        _server.Record(recorded with { StatusCode = code });
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), cancellation).ConfigureAwait(false);
    }

    private enum RouteKind
    {
        None,
        GroupList,
        Group,
        ResourceList,
        ApiServices,
        Proxy,
        OpenApiRoot,
        OpenApiDocument,
    }

    private RouteKind Classify(string[] segments)
    {
        switch (segments)
        {
            case ["apis"]:
                return RouteKind.GroupList;
            case ["apis", RegistrationGroup or AuthenticationGroup or AuthorizationGroup]:
                return RouteKind.Group;
            case ["apis", RegistrationGroup or AuthenticationGroup or AuthorizationGroup, "v1"]:
                return RouteKind.ResourceList;
            case ["apis", RegistrationGroup, "v1", "apiservices", ..] when segments.Length <= 5:
                return RouteKind.ApiServices;
            case ["openapi", "v3"] when HasApiServices():
                return RouteKind.OpenApiRoot;
            case ["openapi", "v3", "apis", var g, var v] when Registered(g, v):
                return RouteKind.OpenApiDocument;
            default:
                break;
        }

        if (segments.Length >= 2 && segments[0] == "apis")
        {
            lock (_gate)
            {
                if (segments.Length == 2 && StoredApiServices().Any(s => Spec(s).Group == segments[1]))
                {
                    return RouteKind.Group;
                }
            }

            // AGG/pkg/apiserver/apiserver.go: only /apis/<g>/<v> and below are proxied; /apis/<g> is served from the APIService objects.
            if (segments.Length >= 3 && Registered(segments[1], segments[2]))
            {
                return RouteKind.Proxy;
            }
        }

        return RouteKind.None;
    }

    private bool HasApiServices() => StoredApiServices().Count > 0;

    private bool Registered(string group, string version) => StoredApiService($"{version}.{group}") is not null;

    private IReadOnlyList<JsonObject> StoredApiServices() => _server.List(ApiServicesResource);

    private JsonObject? StoredApiService(string name) => _server.Get(ApiServicesResource, null, name);

    private static string Verb(HttpRequest request, ResourceTarget? target)
    {
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            if (target is null || target.Name.Length > 0)
            {
                return "get";
            }

            return request.Query["watch"] is ["true"] or ["1"] ? "watch" : "list";
        }

        return method switch
        {
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => target is { Name.Length: 0 } ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
    }

    private static ApiException Forbidden(ResourceTarget target, string verb, string user)
    {
        // Worded as AS/pkg/endpoints/handlers/responsewriters/errors.go ForbiddenStatusError.
        var resource = target.Subresource.Length > 0 ? $"{target.Resource}/{target.Subresource}" : target.Resource;
        var qualified = target.Group.Length > 0 ? $"{target.Resource}.{target.Group}" : target.Resource;
        var subject = target.Name.Length > 0 ? $"{qualified} \"{target.Name}\"" : qualified;
        var scope = target.Namespace is { } ns ? $" in the namespace \"{ns}\"" : " at the cluster scope";
        var message = $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{target.Group}\"{scope}";
        return new ApiException(403, "Forbidden", message, Details(target.Name, target.Group, target.Resource));
    }

    private static JsonObject Details(string? name, string group, string kind)
    {
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(name))
        {
            details["name"] = name;
        }

        details["group"] = group;
        details["kind"] = kind;
        return details;
    }

    private static DoubleUser Aggregator(string name) => new(name, "", ["system:masters", "system:authenticated"], ImmutableDictionary<string, ImmutableArray<string>>.Empty);

    // ---- APIService objects (AGG/pkg/apis/apiregistration/v1/types.go; validation in AGG/pkg/apis/apiregistration/validation/validation.go)

    private (int Code, JsonNode Answer) ApiServiceRequest(string method, string name, string? body, bool table)
    {
        _ = body;
        var stored = name.Length == 0 ? StoredApiServices() : [StoredApiService(name) ?? throw ApiServiceNotFound(name)];
        lock (_gate)
        {
            switch (method)
            {
                case "GET" when table:
                    return (200, ApiServiceTable(stored));
                case "GET" when name.Length == 0:
                    return (200, new JsonObject
                    {
                        ["kind"] = "APIServiceList",
                        ["apiVersion"] = "apiregistration.k8s.io/v1",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _server.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                        ["items"] = new JsonArray([.. stored.Select(s => (JsonNode)WithStatus(s))]),
                    });
                case "GET":
                    return (200, WithStatus(stored[0]));
                default:
                    throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
            }
        }
    }

    // kubectl get apiservices: the server-side table of kube-aggregator's printers
    // (AGG/pkg/registry/apiservice/etcd/etcd.go: NAME, SERVICE, AVAILABLE, AGE).
    private JsonObject ApiServiceTable(IReadOnlyList<JsonObject> items)
    {
        JsonObject Column(string name, string type, string format = "") => new() { ["name"] = name, ["type"] = type, ["format"] = format, ["description"] = name, ["priority"] = 0 };
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = _server.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = new JsonArray(Column("Name", "string", "name"), Column("Service", "string"), Column("Available", "string"), Column("Age", "date")),
            ["rows"] = new JsonArray([.. items.Select(item =>
            {
                var spec = Spec(item);
                var available = (JsonObject)WithStatus(item)["status"]!["conditions"]![0]!;
                var availableText = available["status"]!.ToString() == "True" ? "True" : $"False ({available["reason"]})";
                return (JsonNode)new JsonObject
                {
                    ["cells"] = new JsonArray(item["metadata"]!["name"]!.ToString(), spec.ServiceName is null ? "Local" : $"{spec.ServiceNamespace}/{spec.ServiceName}", availableText, "0s"),
                    ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = item["metadata"]!.DeepClone() },
                };
            })]),
        };
    }

    private static ApiException ApiServiceNotFound(string name)
        => new(404, "NotFound", $"apiservices.apiregistration.k8s.io \"{name}\" not found", Details(name, RegistrationGroup, "apiservices"));

    private sealed record ApiServiceSpec(string Group, string Version, string? ServiceNamespace, string? ServiceName, int Port, byte[] CaBundle, bool InsecureSkipTlsVerify, int GroupPriorityMinimum, int VersionPriority);

    private static ApiServiceSpec Spec(JsonObject apiService)
    {
        var spec = apiService["spec"] as JsonObject ?? [];
        var service = spec["service"] as JsonObject;
        var ca = spec["caBundle"]?.ToString();
        return new ApiServiceSpec(
            spec["group"]?.ToString() ?? "",
            spec["version"]?.ToString() ?? "",
            service?["namespace"]?.ToString(),
            service?["name"]?.ToString(),
            service?["port"]?.GetValue<int>() ?? 443,
            string.IsNullOrEmpty(ca) ? [] : Convert.FromBase64String(ca),
            spec["insecureSkipTLSVerify"]?.GetValue<bool>() == true,
            spec["groupPriorityMinimum"]?.GetValue<int>() ?? 0,
            spec["versionPriority"]?.GetValue<int>() ?? 0);
    }

    // The Available condition as the availability controller would set it, reduced to what the double knows: a
    // Service stand-in exists or not (remote_available_controller.go ServiceNotFound / Passed).
    private JsonObject WithStatus(JsonObject apiService)
    {
        var copy = (JsonObject)apiService.DeepClone();
        var spec = Spec(apiService);
        var known = spec.ServiceName is not null && _endpoints.ContainsKey((spec.ServiceNamespace ?? "", spec.ServiceName));
        copy["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Available",
                ["status"] = known ? "True" : "False",
                ["lastTransitionTime"] = apiService["metadata"]?["creationTimestamp"]?.ToString(),
                ["reason"] = known ? "Passed" : "ServiceNotFound",
                ["message"] = known ? "all checks passed" : $"service/{spec.ServiceName} in \"{spec.ServiceNamespace}\" is not present",
            }),
        };
        return copy;
    }

    // ---- Discovery (AGG/pkg/apiserver/handler_apis.go): /apis merged, /apis/<g> from the APIService objects.

    private JsonObject Discovery(string[] segments)
    {
        switch (segments)
        {
            case ["apis"]:
                var list = Berth.Kubernetes.ApiDouble.Discovery.Answer("/apis", _server.CustomResources)!;
                var groups = (JsonArray)list["groups"]!;
                foreach (var builtIn in new[] { RegistrationGroup, AuthenticationGroup, AuthorizationGroup })
                {
                    if (!groups.Any(g => (string?)g?["name"] == builtIn))
                    {
                        groups.Add(BuiltInGroup(builtIn));
                    }
                }

                foreach (var group in AggregatedGroups())
                {
                    groups.Add(group);
                }

                return list;
            case ["apis", RegistrationGroup or AuthenticationGroup or AuthorizationGroup]:
                return BuiltInGroup(segments[1]).With(g => g["kind"] = "APIGroup").With(g => g["apiVersion"] = "v1");
            case ["apis", _]:
                return AggregatedGroups().First(g => g["name"]!.ToString() == segments[1]).With(g => g["kind"] = "APIGroup").With(g => g["apiVersion"] = "v1");
            default:
                var (resource, kind, verbs) = segments[1] switch
                {
                    RegistrationGroup => ("apiservices", "APIService", new JsonArray("create", "delete", "get", "list", "patch", "update", "watch")),
                    AuthenticationGroup => ("tokenreviews", "TokenReview", new JsonArray("create")),
                    _ => ("subjectaccessreviews", "SubjectAccessReview", new JsonArray("create")),
                };
                return new JsonObject
                {
                    ["kind"] = "APIResourceList",
                    ["apiVersion"] = "v1",
                    ["groupVersion"] = $"{segments[1]}/v1",
                    ["resources"] = new JsonArray(new JsonObject
                    {
                        ["name"] = resource,
                        ["singularName"] = kind.ToLowerInvariant(),
                        ["namespaced"] = false,
                        ["kind"] = kind,
                        ["verbs"] = verbs,
                    }),
                };
        }
    }

    private static JsonObject BuiltInGroup(string group)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" };
        return new JsonObject { ["name"] = group, ["versions"] = new JsonArray(groupVersion), ["preferredVersion"] = groupVersion.DeepClone() };
    }

    // handler_apis.go: groups ordered by their highest groupPriorityMinimum, versions by versionPriority (highest
    // first, ties by name); the first version is the preferred one.
    private List<JsonObject> AggregatedGroups()
    {
        var stored = StoredApiServices();
        lock (_gate)
        {
            return [.. stored.Select(Spec)
                .GroupBy(s => s.Group)
                .OrderByDescending(g => g.Max(s => s.GroupPriorityMinimum)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    var versions = g.OrderByDescending(s => s.VersionPriority).ThenBy(s => s.Version, StringComparer.Ordinal)
                        .Select(s => new JsonObject { ["groupVersion"] = $"{s.Group}/{s.Version}", ["version"] = s.Version }).ToList();
                    return new JsonObject
                    {
                        ["name"] = g.Key,
                        ["versions"] = new JsonArray([.. versions]),
                        ["preferredVersion"] = versions[0].DeepClone(),
                    };
                })];
        }
    }

    // ---- The ConfigMap kube-apiserver publishes for extension servers
    // (pkg/controlplane/controller/clusterauthenticationtrust/cluster_authentication_trust_controller.go)

    /// <summary>
    /// Writes kube-system/extension-apiserver-authentication, as kube-apiserver's cluster-authentication-trust
    /// controller does when it starts (call it before starting an extension server that reads it). Not done by
    /// default, so tests of the core API see only the objects they made.
    /// </summary>
    public void PublishAuthenticationConfigMap()
    {
        var data = new JsonObject
        {
            ["client-ca-file"] = ClientCa.ExportCertificatePem() + "\n",
            ["requestheader-client-ca-file"] = RequestHeaderCaPem,
            ["requestheader-allowed-names"] = $"[\"{FrontProxyClientName}\"]",
            ["requestheader-username-headers"] = "[\"X-Remote-User\"]",
            ["requestheader-group-headers"] = "[\"X-Remote-Group\"]",
            ["requestheader-extra-headers-prefix"] = "[\"X-Remote-Extra-\"]",
        };
        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "extension-apiserver-authentication", ["namespace"] = "kube-system" },
            ["data"] = data,
        };
        _server.Seed(configMap.ToJsonString());
    }

    // ---- The proxy (AGG/pkg/apiserver/handler_proxy.go)

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private async Task ProxyAsync(HttpContext context, string group, string version, DoubleUser user, RecordedRequest recorded, CancellationToken cancellation)
    {
        ApiServiceSpec spec;
        Uri? endpoint;
        var stored = StoredApiService($"{version}.{group}") ?? throw ApiServiceNotFound($"{version}.{group}");
        lock (_gate)
        {
            spec = Spec(stored);
            endpoint = spec.ServiceName is null ? null : _endpoints.GetValueOrDefault((spec.ServiceNamespace ?? "", spec.ServiceName));
        }

        if (endpoint is null)
        {
            // handler_proxy.go: no usable Service/Endpoints → proxyError(w, req, "service unavailable", 503).
            await PlainErrorAsync(context, recorded, "service unavailable", cancellation).ConfigureAwait(false);
            return;
        }

        var incoming = context.Request;
        byte[]? body = null;
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0 || HttpMethods.IsPost(incoming.Method) || HttpMethods.IsPut(incoming.Method) || HttpMethods.IsPatch(incoming.Method))
        {
            using var buffer = new MemoryStream();
            await incoming.Body.CopyToAsync(buffer, cancellation).ConfigureAwait(false);
            body = buffer.ToArray();
            recorded = recorded with { Body = Encoding.UTF8.GetString(body) };
        }

        var headers = new List<(string Name, string Value)>();
        foreach (var (name, values) in incoming.Headers)
        {
            // After authenticating the caller kube-apiserver drops its credentials and any identity headers it sent.
            if (HopByHop.Contains(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            headers.AddRange(values.Select(v => (name, v ?? "")));
        }

        headers.AddRange(IdentityHeaders(user));
        headers.Add(("Audit-ID", Guid.NewGuid().ToString()));
        try
        {
            await AggregationHttp.ExchangeAsync(
                endpoint,
                ServerName(spec),
                Tls(spec),
                incoming.Method,
                $"{incoming.Path}{incoming.QueryString}",
                headers,
                body,
                async head =>
                {
                    _server.Record(recorded with { StatusCode = head.Status });
                    context.Response.StatusCode = head.Status;
                    foreach (var header in head.Headers.Where(h => !HopByHop.Contains(h.Name) && !h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        context.Response.Headers[header.Key] = header.Select(h => h.Value).ToArray();
                    }

                    // The head goes out now: a quiet watch has no body to carry it for a long time.
                    await context.Response.StartAsync(cancellation).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                },
                async chunk =>
                {
                    // Each piece is flushed, so a watch's events reach the client as they come.
                    await context.Response.Body.WriteAsync(chunk, cancellation).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                },
                cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or HttpRequestException && !context.Response.HasStarted)
        {
            // handler_proxy.go responder.Error: http.Error(w, err.Error(), 503).
            await PlainErrorAsync(context, recorded, e.Message, cancellation).ConfigureAwait(false);
        }
    }

    // CG/transport/round_trippers.go NewAuthProxyRoundTripper: X-Remote-User, one X-Remote-Group line per group,
    // X-Remote-Extra-<%-escaped key> per value.
    private static IEnumerable<(string Name, string Value)> IdentityHeaders(DoubleUser user)
    {
        yield return ("X-Remote-User", user.Name);
        foreach (var g in user.Groups)
        {
            yield return ("X-Remote-Group", g);
        }

        foreach (var (key, values) in user.Extra)
        {
            foreach (var value in values)
            {
                yield return ("X-Remote-Extra-" + Uri.EscapeDataString(key), value);
            }
        }
    }

    private static string ServerName(ApiServiceSpec spec) => $"{spec.ServiceName}.{spec.ServiceNamespace}.svc";

    private SslClientAuthenticationOptions Tls(ApiServiceSpec spec)
    {
        var roots = new X509Certificate2Collection();
        if (spec.CaBundle.Length > 0)
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(spec.CaBundle));
        }

        var insecure = spec.InsecureSkipTlsVerify;
        return new SslClientAuthenticationOptions
        {
            // handler_proxy.go: ServerName <svc>.<ns>.svc, so the serving certificate needs that DNS name.
            TargetHost = ServerName(spec),
            ClientCertificates = [_proxyClient],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _proxyClient,
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.None,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (insecure)
                {
                    return true;
                }

                // caBundle, not the machine's roots; a name mismatch is never accepted.
                return roots.Count > 0 && WebhookClient.TrustedByBundle(certificate, errors, roots);
            },
        };
    }

    // ---- OpenAPI v3 (the aggregator fetches /openapi/v3 from each backend as system:aggregator and merges the paths)

    private async Task<JsonObject> OpenApiRootAsync(CancellationToken cancellation)
    {
        var paths = new JsonObject();
        List<(ApiServiceSpec Spec, Uri Endpoint)> backends;
        var stored = StoredApiServices();
        lock (_gate)
        {
            backends = [.. stored.Select(Spec)
                .Select(s => (s, s.ServiceName is null ? null : _endpoints.GetValueOrDefault((s.ServiceNamespace ?? "", s.ServiceName))))
                .Where(b => b.Item2 is not null)
                .Select(b => (b.s, b.Item2!))
                .DistinctBy(b => b.Item2)];
        }

        foreach (var (spec, endpoint) in backends)
        {
            try
            {
                var status = 0;
                using var text = new MemoryStream();
                await AggregationHttp.ExchangeAsync(
                    endpoint,
                    ServerName(spec),
                    Tls(spec),
                    "GET",
                    "/openapi/v3",
                    [.. IdentityHeaders(Aggregator("system:aggregator")), ("Accept", "application/json")],
                    null,
                    head =>
                    {
                        status = head.Status;
                        return Task.CompletedTask;
                    },
                    chunk => text.WriteAsync(chunk, cancellation).AsTask(),
                    cancellation).ConfigureAwait(false);
                if (status == 200 && JsonNode.Parse(text.ToArray())?["paths"] is JsonObject backendPaths)
                {
                    foreach (var (key, value) in backendPaths)
                    {
                        paths[key] = value?.DeepClone();
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or HttpRequestException)
            {
                // A backend that does not answer contributes nothing, as in the aggregator.
            }
        }

        return new JsonObject { ["paths"] = paths };
    }

    public void Dispose()
    {
        _proxyClient.Dispose();
        RequestHeaderCa.Dispose();
        ClientCa.Dispose();
    }

    private async Task PlainErrorAsync(HttpContext context, RecordedRequest recorded, string message, CancellationToken cancellation)
    {
        // Go's http.Error: text/plain, nosniff, the message and a newline.
        _server.Record(recorded with { StatusCode = 503 });
        context.Response.StatusCode = 503;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await context.Response.WriteAsync(message + "\n", cancellation).ConfigureAwait(false);
    }

    /// <summary>A resource request's parts: /apis/g/v/[namespaces/ns/]resource[/name[/subresource]].</summary>
    private sealed record ResourceTarget(string Group, string Version, string? Namespace, string Resource, string Name, string Subresource)
    {
        public string FullResource => Group.Length > 0 ? $"{Resource}.{Group}" : Resource;

        public static ResourceTarget? Of(string[] segments)
        {
            if (segments.Length < 4 || segments[0] != "apis")
            {
                return null;
            }

            var rest = segments[3..];
            string? ns = null;
            if (rest.Length >= 3 && rest[0] == "namespaces")
            {
                ns = rest[1];
                rest = rest[2..];
            }
            else if (rest.Length == 2 && rest[0] == "namespaces")
            {
                // /apis/g/v/namespaces/ns is the namespace itself, not served here.
                return null;
            }

            return new ResourceTarget(segments[1], segments[2], ns, rest[0], rest.Length > 1 ? rest[1] : "", rest.Length > 2 ? rest[2] : "");
        }
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject With(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
