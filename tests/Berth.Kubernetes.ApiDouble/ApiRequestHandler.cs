using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Turns one HTTP request into a store operation and writes the answer the way the API server would.</summary>
internal sealed class ApiRequestHandler(KubernetesApiDouble server, ObjectStore store, CancellationToken shutdown)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await server.Aggregation.TryHandleAsync(context, server.TokenExpired).ConfigureAwait(false))
        {
            return;
        }

        var request = context.Request;
        var cancellation = context.RequestAborted;
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? "";
        string? body = null;
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || request.ContentLength > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(cancellation).ConfigureAwait(false);
        }

        var discovery = Discovery.Answer(path, server.CustomResources);
        var route = discovery is null ? ApiRoute.Parse(path, server.CustomResources.FindType) : null;
        var verb = Classify(request, route);
        var contentType = request.ContentType?.Split(';')[0].Trim();
        var recorded = new RecordedRequest(request.Method, path, query, verb, route?.Type.FullName, route?.Namespace, route?.Name, 0, body, route?.Subresource, contentType);
        int code;
        JsonNode answer;
        try
        {
            var identity = server.Authorize(request, route, verb);
            recorded = recorded with { User = identity.User, ImpersonatedBy = identity.ImpersonatedBy };
            if (server.Review(request.Method, path, body) is { } review)
            {
                (code, answer) = (201, review);
            }
            else if (discovery is not null)
            {
                (code, answer) = (200, discovery);
            }
            else if (route is null)
            {
                throw ApiException.UnknownPath();
            }
            else if (verb == "watch")
            {
                await WatchAsync(context, route, recorded, identity.User, cancellation).ConfigureAwait(false);
                return;
            }
            else if (route.Subresource == "log" && route.Type == ResourceCatalog.Pods && verb == "get")
            {
                var container = request.Query["container"].ToString();
                var log = PodLog(route, container);
                await server.WriteLogAsync(context.Response, log, route.Namespace!, route.Name!, container, request.Query, () => server.Record(recorded with { StatusCode = 200 }), () => store.Find(route.Type, route.Namespace, route.Name!) is not null, cancellation).ConfigureAwait(false);
                return;
            }
            else
            {
                (code, answer) = Execute(request, route, verb, body, contentType, identity.User);
            }
        }
        catch (ApiException refused)
        {
            (code, answer) = (refused.Code, refused.ToStatus());
        }
        catch (Exception bug) when (bug is not OperationCanceledException)
        {
            // A bug in the test double: answer 500 with the details so the failing test shows them.
            (code, answer) = (500, ApiException.InternalError($"test double bug: {bug}").ToStatus());
        }

        server.Record(recorded with { StatusCode = code });
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), cancellation).ConfigureAwait(false);
    }

    private static string Classify(HttpRequest request, ApiRoute? route)
    {
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            if (route?.Name is not null)
            {
                return "get";
            }

            var watch = request.Query["watch"].ToString();
            return route is not null && (watch is "true" or "1") ? "watch" : route is null ? "get" : "list";
        }

        if (HttpMethods.IsPost(method))
        {
            return "create";
        }

        if (HttpMethods.IsPut(method))
        {
            return "update";
        }

        if (HttpMethods.IsPatch(method))
        {
            return "patch";
        }

        if (HttpMethods.IsDelete(method))
        {
            return route?.Name is null ? "deletecollection" : "delete";
        }

        return method.ToLowerInvariant();
    }

    private (int Code, JsonNode Answer) Execute(HttpRequest request, ApiRoute route, string verb, string? body, string? contentType, DoubleUser user)
    {
        if (route.Type == CustomResources.Definitions)
        {
            return server.CustomResources.WriteDefinition(verb, route, body, () => ExecuteStored(request, route, verb, body, contentType));
        }

        return server.CustomResources.Served(route.Type) is { } served
            ? CustomResourceRequest(served, user, request).Execute(route, verb, body, contentType, (r, v, b, c) => ExecuteStored(request, r, v, b, c))
            : ExecuteStored(request, route, verb, body, contentType);
    }

    private CustomResourceRequest CustomResourceRequest(CustomResourceVersion served, DoubleUser user, HttpRequest request) =>
        new(store, served, server.Conversion, server.AdmissionWebhooks, user, request, request.HttpContext.RequestAborted);

    private (int Code, JsonNode Answer) ExecuteStored(HttpRequest request, ApiRoute route, string verb, string? body, string? contentType)
    {
        var type = route.Type;
        if (route.Subresource is not null && route.Subresource != "status")
        {
            throw ApiException.UnknownPath();
        }

        if (request.Query.ContainsKey("dryRun"))
        {
            throw ApiException.BadRequest("dryRun is not supported by the Kubernetes API test double");
        }

        if (type.Namespaced && route.Namespace is null && verb is not ("list" or "watch"))
        {
            throw ApiException.UnknownPath();
        }

        var statusOnly = route.Subresource == "status";
        var manager = FieldManager(request);
        lock (store.Gate)
        {
            if (RequiresName(verb) && route.Name is null)
            {
                throw ApiException.MethodNotAllowed(request.Method);
            }

            switch (verb)
            {
                case "get":
                    return (200, store.Require(type, route.Namespace, route.Name!).Object.DeepClone());
                case "list":
                    return (200, ListOf(type, store.List(type, route.Namespace, LabelSelector.Parse(request.Query["labelSelector"]), FieldSelector.Parse(request.Query["fieldSelector"]))));
                default:
                    break;
            }

            server.BeforeWrite();
            store.ValidatingClientWrite = true;
            try
            {
                var (code, answer) = verb switch
                {
                    "create" when route.Name is null => (201, (JsonNode)store.Create(type, route.Namespace, ParseObject(body), manager, keepStatus: false)),
                    "create" => throw ApiException.MethodNotAllowed(request.Method),
                    "update" => (200, store.Replace(type, route.Namespace, route.Name!, ParseObject(body), manager, statusOnly)),
                    "patch" => (200, Patch(request, route, body, contentType, statusOnly)),
                    "delete" => (200, Deleted(type, store.Delete(type, route.Namespace, route.Name!, Propagation(request, body)))),
                    "deletecollection" => (200, DeleteCollection(request, route)),
                    _ => throw ApiException.MethodNotAllowed(request.Method),
                };
                server.AfterWrite();
                return (code, answer);
            }
            finally
            {
                store.ValidatingClientWrite = false;
            }
        }
    }

    /// <summary>
    /// pods/{name}/log: the simulated containers print nothing when healthy and a crash line when crashing;
    /// a container that never started answers 400 like the kubelet does.
    /// </summary>
    private string PodLog(ApiRoute route, string container)
    {
        lock (store.Gate)
        {
            var pod = store.Require(route.Type, route.Namespace, route.Name!).Object;
            var statuses = (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            var status = statuses.FirstOrDefault(c => container.Length == 0 || c["name"]?.ToString() == container);
            var name = status?["name"]?.ToString() ?? container;
            var waiting = status?["state"]?["waiting"]?["reason"]?.ToString();
            if (status is null || waiting is "ImagePullBackOff" or "ErrImagePull" or "ContainerCreating")
            {
                var reason = waiting is null ? "waiting to start: ContainerCreating" : "waiting to start: trying and failing to pull image";
                throw ApiException.BadRequest($"container \"{name}\" in pod \"{route.Name}\" is {reason}");
            }

            return status["lastState"]?["terminated"]?["reason"]?.ToString() switch
            {
                "Error" => $"{name}: simulated crash (Kubernetes API test double)\n",
                _ => "",
            };
        }
    }

    private static bool RequiresName(string verb) => verb is "get" or "update" or "patch" or "delete";

    private JsonObject Patch(HttpRequest request, ApiRoute route, string? body, string? contentType, bool statusOnly)
    {
        switch (contentType)
        {
            case "application/apply-patch+yaml":
                var manager = request.Query["fieldManager"].ToString();
                if (manager.Length == 0)
                {
                    throw ApiException.BadRequest("PATCH with content type application/apply-patch+yaml requires the fieldManager query parameter (fieldManager: Required value: is required for apply patch)");
                }

                JsonObject applied;
                try
                {
                    applied = ParseObject(body);
                }
                catch (ApiException)
                {
                    throw ApiException.BadRequest("the Kubernetes API test double accepts apply bodies in JSON only (JSON is valid YAML); this body is not a JSON object");
                }

                var force = request.Query["force"].ToString() is "true" or "1";
                return store.Apply(route.Type, route.Namespace, route.Name!, applied, manager, force, statusOnly);
            case "application/merge-patch+json":
            case "application/strategic-merge-patch+json":
                return store.MergePatch(route.Type, route.Namespace, route.Name!, ParseObject(body), FieldManager(request), statusOnly);
            case "application/json-patch+json":
                JsonArray operations;
                try
                {
                    operations = JsonNode.Parse(body ?? "") as JsonArray ?? throw ApiException.BadRequest("a json patch must be a JSON array of operations");
                }
                catch (JsonException error)
                {
                    throw ApiException.BadRequest($"the request body is not valid JSON: {error.Message}");
                }

                return store.JsonPatch(route.Type, route.Namespace, route.Name!, operations, FieldManager(request), statusOnly);
            default:
                throw ApiException.UnsupportedMediaType(contentType ?? "");
        }
    }

    /// <summary>propagationPolicy from the query or the DeleteOptions body (null: the kind's default).</summary>
    private static string? Propagation(HttpRequest request, string? body)
    {
        if (request.Query["propagationPolicy"].ToString() is { Length: > 0 } query)
        {
            return query;
        }

        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body)?["propagationPolicy"]?.ToString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Deleted(ResourceType type, (JsonObject Object, bool Deleted) result)
    {
        var (gone, deleted) = result;

        // Pods and Namespaces answer with the object, and so does an object left Terminating; the rest a Success status.
        if (!deleted || type == ResourceCatalog.Pods || type == ResourceCatalog.Namespaces)
        {
            return gone;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = new JsonObject
            {
                ["name"] = gone["metadata"]?["name"]?.ToString(),
                ["group"] = type.Group,
                ["kind"] = type.Plural,
                ["uid"] = gone["metadata"]?["uid"]?.ToString(),
            },
        };
    }

    private JsonObject DeleteCollection(HttpRequest request, ApiRoute route)
    {
        var victims = store.List(route.Type, route.Namespace, LabelSelector.Parse(request.Query["labelSelector"]), FieldSelector.Parse(request.Query["fieldSelector"]));
        var gone = new List<JsonObject>();
        foreach (var victim in victims)
        {
            var name = victim["metadata"]!["name"]!.ToString();
            var ns = victim["metadata"]?["namespace"]?.ToString();
            if (store.Find(route.Type, ns, name) is not null)
            {
                gone.Add(store.Delete(route.Type, ns, name, Propagation(request, null)).Object);
            }
        }

        return ListOf(route.Type, gone);
    }

    private JsonObject ListOf(ResourceType type, List<JsonObject> items) => new()
    {
        ["kind"] = type.ListKind,
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
        ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
    };

    private async Task WatchAsync(HttpContext context, ApiRoute route, RecordedRequest recorded, DoubleUser user, CancellationToken cancellation)
    {
        // A custom resource is watched at its storage version and each event converted to the request's.
        var served = server.CustomResources.Served(route.Type);
        var custom = served is null ? null : CustomResourceRequest(served, user, context.Request);
        route = served is null ? route : route with { Type = served.Storage };
        var request = context.Request;
        var response = context.Response;
        WatchSubscription subscription;
        try
        {
            var filter = new WatchFilter(route.Namespace, LabelSelector.Parse(request.Query["labelSelector"]), FieldSelector.Parse(request.Query["fieldSelector"]));
            var from = request.Query["resourceVersion"].ToString();
            lock (store.Gate)
            {
                if (from.Length == 0 || from == "0")
                {
                    subscription = store.Watches.SubscribeWithInitial(route.Type, filter, store.List(route.Type, route.Namespace, filter.Labels, filter.Fields));
                }
                else if (long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var fromVersion))
                {
                    subscription = store.Watches.Subscribe(route.Type, filter, fromVersion, store.ResourceVersion);
                }
                else
                {
                    throw ApiException.BadRequest($"invalid resource version: {from}");
                }
            }
        }
        catch (ApiException refused) when (refused.Code == 410)
        {
            // Like the real server: the watch starts (200) and its only event is an ERROR carrying the 410 Status.
            server.Record(recorded with { StatusCode = 200 });
            response.StatusCode = 200;
            response.ContentType = "application/json";
            var line = new JsonObject { ["type"] = "ERROR", ["object"] = refused.ToStatus() }.ToJsonString() + "\n";
            await response.WriteAsync(line, cancellation).ConfigureAwait(false);
            return;
        }
        catch (ApiException refused)
        {
            server.Record(recorded with { StatusCode = refused.Code });
            response.StatusCode = refused.Code;
            response.ContentType = "application/json";
            await response.WriteAsync(refused.ToStatus().ToJsonString(), cancellation).ConfigureAwait(false);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, shutdown);
        if (int.TryParse(request.Query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var timeoutSeconds) && timeoutSeconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        }

        try
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            await response.StartAsync(stop.Token).ConfigureAwait(false);
            await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            server.Record(recorded with { StatusCode = 200 });
            await foreach (var line in subscription.Lines.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await response.WriteAsync((custom?.WatchLine(line) ?? line) + "\n", stop.Token).ConfigureAwait(false);
                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ended) when (ended is OperationCanceledException or IOException)
        {
            // Timeout, client gone or the double stopping: the watch simply ends, as on the real server.
        }
        finally
        {
            lock (store.Gate)
            {
                subscription.Unsubscribe();
            }
        }
    }

    private static string FieldManager(HttpRequest request)
    {
        var manager = request.Query["fieldManager"].ToString();
        if (manager.Length > 0)
        {
            return manager;
        }

        // Like the real server: an update without fieldManager is attributed to the client's user agent name.
        var agent = request.Headers.UserAgent.ToString();
        var product = agent.Split('/', ' ')[0];
        return product.Length > 0 ? product : "unknown";
    }

    private static JsonObject ParseObject(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? "") as JsonObject ?? throw ApiException.BadRequest("the request body is not a JSON object");
        }
        catch (JsonException error)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {error.Message}");
        }
    }
}
