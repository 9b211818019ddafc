using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Policy;
using Berth.ApiServer.Security;
using Berth.Policy.Cluster;
using Berth.StackApi;
using Berth.StackApi.Storage;

namespace Berth.ApiServer.Http;

/// <summary>
/// The stacks REST surface on IStackStore: get, list, watch, create, update, patch, delete, deletecollection and the
/// subresources, each at any served version (StackCodec converts to and from the storage form).
/// </summary>
internal sealed class StacksApi(IStackStore store, bool standalone, TimeProvider time, ILogger logger, StackPolicyAdmission? policy = null)
{
    // How long a watch waits for the store to refuse it (bad selector, RV too large) before it opens the stream.
    private static readonly TimeSpan WatchErrorWindow = TimeSpan.FromMilliseconds(250);

    private const string Prefix = "/apis/" + StackApiGroup.Group + "/{version}";

    public void Map(WebApplication app)
    {
        app.Map(Prefix + "/stacks", context => Run(context, () => Collection(context, allNamespaces: true)));
        app.Map(Prefix + "/namespaces/{ns}/stacks", context => Run(context, () => Collection(context, allNamespaces: false)));
        app.Map(Prefix + "/namespaces/{ns}/stacks/{name}", context => Run(context, () => Item(context)));
        app.Map(Prefix + "/namespaces/{ns}/stacks/{name}/{subresource}", context => Run(context, () => Subresource(context)));
    }

    private static async Task Run(HttpContext context, Func<Task> handler)
    {
        try
        {
            await handler().ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            throw StoreErrors.ToApi(e);
        }
    }

    private static string Version(HttpContext context)
    {
        var version = (string)context.GetRouteValue("version")!;
        return StackApiGroup.IsServed(version) ? version : throw ApiStatus.PathNotFound();
    }

    private static string Route(HttpContext context, string key) => (string)context.GetRouteValue(key)!;

    private static UserInfo User(HttpContext context) => context.Features.Get<UserInfo>()!;

    private static StackUser Owner(UserInfo user) => new(user.Name, user.Uid, user.Groups, user.Extra);

    private static string Query(HttpContext context, string key) => context.Request.Query[key].ToString();

    /// <summary>dryRun: only "All" is valid (AM/pkg/apis/meta/v1/validation/validation.go).</summary>
    private static bool DryRun(HttpContext context)
    {
        var values = context.Request.Query["dryRun"];
        foreach (var value in values)
        {
            if (value != "All")
            {
                throw ApiStatus.Invalid("CreateOptions", string.Empty, [new StatusCause("FieldValueNotSupported", $"Unsupported value: \"{value}\": supported values: \"All\"", "dryRun")]);
            }
        }

        return values.Count > 0;
    }

    private async Task Collection(HttpContext context, bool allNamespaces)
    {
        var version = Version(context);
        var ns = allNamespaces ? null : Route(context, "ns");
        var method = context.Request.Method;
        var ct = context.RequestAborted;
        if (HttpMethods.IsGet(method))
        {
            var watch = Query(context, "watch") is "true" or "1";
            var kind = Tables.Negotiate(context.Request.Headers.Accept.ToString(), list: true);
            await (watch ? WatchAsync(context, version, ns, kind, ct) : ListAsync(context, version, ns, kind, ct)).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(method) && ns is not null)
        {
            await CreateAsync(context, version, ns, ct).ConfigureAwait(false);
        }
        else if (HttpMethods.IsDelete(method) && ns is not null)
        {
            await DeleteCollectionAsync(context, version, ns, ct).ConfigureAwait(false);
        }
        else
        {
            throw ApiStatus.MethodNotAllowed(method);
        }
    }

    private async Task Item(HttpContext context)
    {
        var version = Version(context);
        var ns = Route(context, "ns");
        var name = Route(context, "name");
        var ct = context.RequestAborted;
        switch (context.Request.Method)
        {
            case "GET":
                var kind = Tables.Negotiate(context.Request.Headers.Accept.ToString(), list: false);
                var stored = await store.GetAsync(ns, name, ct).ConfigureAwait(false);
                await WriteObjectAsync(context, 200, stored, version, kind, ct).ConfigureAwait(false);
                break;
            case "PUT":
                await UpdateAsync(context, version, ns, name, ct).ConfigureAwait(false);
                break;
            case "PATCH":
                await PatchAsync(context, version, ns, name, statusOnly: false, ct).ConfigureAwait(false);
                break;
            case "DELETE":
                await DeleteAsync(context, version, ns, name, ct).ConfigureAwait(false);
                break;
            default:
                throw ApiStatus.MethodNotAllowed(context.Request.Method);
        }
    }

    private async Task WriteObjectAsync(HttpContext context, int code, JsonObject stored, string version, OutputKind kind, CancellationToken ct)
    {
        JsonNode body = kind switch
        {
            OutputKind.Table => Tables.Table([stored], version, Query(context, "includeObject"), new JsonObject { ["resourceVersion"] = stored["metadata"]?["resourceVersion"]?.DeepClone() }, true, time.GetUtcNow()),
            OutputKind.PartialObjectMetadata => Tables.PartialObjectMetadata(stored),
            _ => StackCodec.Encode(stored, version),
        };
        await HttpBodies.WriteJsonAsync(context, code, body, ct).ConfigureAwait(false);
    }

    private static long? LongQuery(HttpContext context, string key)
    {
        var text = Query(context, key);
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw ApiStatus.BadRequest($"invalid {key}: {text}");
    }

    private async Task ListAsync(HttpContext context, string version, string? ns, OutputKind kind, CancellationToken ct)
    {
        var limit = LongQuery(context, "limit");
        var result = await store.ListAsync(new ListOptions(ns, NullIfEmpty(Query(context, "labelSelector")), NullIfEmpty(Query(context, "fieldSelector")), limit is > 0 ? limit : null, NullIfEmpty(Query(context, "continue")), NullIfEmpty(Query(context, "resourceVersion")), NullIfEmpty(Query(context, "resourceVersionMatch"))), ct).ConfigureAwait(false);
        var metadata = new JsonObject { ["resourceVersion"] = result.ResourceVersion };
        if (result.Continue is not null)
        {
            metadata["continue"] = result.Continue;
        }

        if (result.RemainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        JsonNode body = kind switch
        {
            OutputKind.Table => Tables.Table(result.Items, version, Query(context, "includeObject"), metadata, true, time.GetUtcNow()),
            OutputKind.PartialObjectMetadata => new JsonObject
            {
                ["kind"] = "PartialObjectMetadataList",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = metadata,
                ["items"] = new JsonArray([.. result.Items.Select(i => (JsonNode)Tables.PartialObjectMetadata(i))]),
            },
            _ => new JsonObject
            {
                ["apiVersion"] = StackApiGroup.ApiVersion(version),
                ["kind"] = StackApiGroup.ListKind,
                ["metadata"] = metadata,
                ["items"] = new JsonArray([.. result.Items.Select(i => (JsonNode)StackCodec.Encode(i, version))]),
            },
        };
        await HttpBodies.WriteJsonAsync(context, 200, body, ct).ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>
    /// A watch: chunked JSON lines, each flushed (AS/pkg/endpoints/handlers/watch.go). A storage error after the
    /// headers becomes an ERROR event carrying a Status, then the stream closes.
    /// </summary>
    private async Task WatchAsync(HttpContext context, string version, string? ns, OutputKind kind, CancellationToken ct)
    {
        var timeoutSeconds = LongQuery(context, "timeoutSeconds");
        // No timeoutSeconds: a random 30-60 min, as kube-apiserver's MinRequestTimeout scheme.
        var timeout = timeoutSeconds is > 0 ? TimeSpan.FromSeconds(timeoutSeconds.Value) : TimeSpan.FromSeconds(1800 + Random.Shared.Next(1800));
        var options = new WatchOptions(ns, NullIfEmpty(Query(context, "labelSelector")), NullIfEmpty(Query(context, "fieldSelector")), NullIfEmpty(Query(context, "resourceVersion")), Query(context, "allowWatchBookmarks") is "true" or "1", timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout + TimeSpan.FromSeconds(1));
        var response = context.Response;
        var firstTable = true;
        await using var events = store.WatchAsync(options, deadline.Token).GetAsyncEnumerator(deadline.Token);
        var started = false;
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    var next = events.MoveNextAsync().AsTask();
                    if (!started && await Task.WhenAny(next, Task.Delay(WatchErrorWindow, ct)).ConfigureAwait(false) != next)
                    {
                        // The watch is established and quiet: send the headers now, so clients see the stream open
                        // before the first event (kube-apiserver's serveWatch after rw.Watch succeeded).
                        await StartWatchAsync(response).ConfigureAwait(false);
                        started = true;
                    }

                    more = await next.ConfigureAwait(false);
                }
                catch (StoreException e)
                {
                    if (!started)
                    {
                        // Errors before the first event (a bad selector or RV) are ordinary error responses, except
                        // Expired, which clients expect as an ERROR event.
                        if (e.Kind != StoreErrorKind.Expired)
                        {
                            throw;
                        }

                        await StartWatchAsync(response).ConfigureAwait(false);
                        started = true;
                    }

                    await WriteEventAsync(response, "ERROR", StoreErrors.ToApi(e).ToStatus(), ct).ConfigureAwait(false);
                    return;
                }

                if (!started)
                {
                    await StartWatchAsync(response).ConfigureAwait(false);
                    started = true;
                }

                if (!more)
                {
                    return;
                }

                var e2 = events.Current;
                var type = e2.Type switch
                {
                    StoreWatchEventType.Added => "ADDED",
                    StoreWatchEventType.Modified => "MODIFIED",
                    StoreWatchEventType.Deleted => "DELETED",
                    _ => "BOOKMARK",
                };
                JsonObject obj;
                if (e2.Type == StoreWatchEventType.Bookmark)
                {
                    obj = (JsonObject)e2.Object.DeepClone();
                    obj["apiVersion"] = StackApiGroup.ApiVersion(version);
                }
                else
                {
                    obj = kind switch
                    {
                        OutputKind.Table => Tables.Table([e2.Object], version, Query(context, "includeObject"), new JsonObject { ["resourceVersion"] = e2.Object["metadata"]?["resourceVersion"]?.DeepClone() }, firstTable, time.GetUtcNow()),
                        OutputKind.PartialObjectMetadata => Tables.PartialObjectMetadata(e2.Object),
                        _ => StackCodec.Encode(e2.Object, version),
                    };
                    firstTable = firstTable && kind != OutputKind.Table;
                }

                await WriteEventAsync(response, type, obj, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // timeoutSeconds reached: a clean end of the stream.
            if (!started)
            {
                await StartWatchAsync(response).ConfigureAwait(false);
            }
        }
    }

    private static async Task StartWatchAsync(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync().ConfigureAwait(false);
        await response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, JsonObject obj, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj }.ToJsonString(HttpBodies.Output) + "\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void RequireJson(HttpContext context)
    {
        var type = MediaType.Parse(context.Request.ContentType ?? "application/json").Type;
        if (type is not ("application/json" or ""))
        {
            throw ApiStatus.UnsupportedMediaType("application/json");
        }
    }

    /// <summary>
    /// fieldValidation (AS/pkg/endpoints/handlers/rest.go fieldValidation): Strict → 400 naming every unknown field;
    /// Warn (the default) → a Warning header per field; Ignore → nothing.
    /// </summary>
    private static void FieldValidation(HttpContext context, string version, ImmutableArray<string> unknown)
    {
        var mode = Query(context, "fieldValidation");
        if (mode is not ("" or "Strict" or "Warn" or "Ignore"))
        {
            throw ApiStatus.BadRequest($"fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"{mode}\"");
        }

        if (unknown.IsEmpty || mode == "Ignore")
        {
            return;
        }

        if (mode == "Strict")
        {
            var list = string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""));
            throw ApiStatus.BadRequest($"{StackApiGroup.Kind} in version \"{version}\" cannot be handled as a {StackApiGroup.Kind}: strict decoding error: {list}");
        }

        foreach (var field in unknown)
        {
            context.Response.Headers.Append("Warning", $"299 - \"unknown field \\\"{field}\\\"\"");
        }
    }

    internal static ApiException Invalid(string name, IEnumerable<FieldError> errors)
        => ApiStatus.Invalid(StackApiGroup.Kind, name, [.. errors.Select(e => new StatusCause(e.Type, Redacted(e.Field, e.Message), e.Field))]);

    // Errors never echo a secret: a value under environment or a secret's/config's content is replaced, keeping what
    // was wrong with it (the text after the value). Compose-text errors name the line, never the value.
    private static string Redacted(string field, string message)
    {
        const string prefix = "Invalid value: ";
        var sensitive = field.Contains(".environment", StringComparison.Ordinal) || field.EndsWith(".content", StringComparison.Ordinal);
        if (!sensitive || !message.StartsWith(prefix, StringComparison.Ordinal))
        {
            return message;
        }

        var reason = message.LastIndexOf(": ", StringComparison.Ordinal) is var at and > 14 ? message[(at + 2)..] : string.Empty;
        return $"{prefix}\"{StackRedaction.Redacted}\"" + (reason.Length > 0 ? ": " + reason : string.Empty);
    }

    /// <summary>Decodes a body at <paramref name="version"/>; decode errors are 422, unknown fields per fieldValidation.</summary>
    private static JsonObject Decode(HttpContext context, JsonObject body, string version, JsonObject? existing, string name)
    {
        var decoded = StackCodec.Decode(body, version, existing);
        FieldValidation(context, version, decoded.UnknownFields);
        if (!decoded.Errors.IsEmpty || decoded.Stored is null)
        {
            throw Invalid(name, decoded.Errors);
        }

        return decoded.Stored;
    }

    private static void Validate(JsonObject stored, string name, JsonObject? current = null)
    {
        var errors = current is null ? StackValidator.Validate(stored) : StackValidator.ValidateUpdate(stored, current);
        if (!errors.IsEmpty)
        {
            throw Invalid(name, errors);
        }
    }

    /// <summary>
    /// Reads the cluster policy once per request, before the store's update function (which is synchronous and may
    /// run again on a conflict) evaluates it; its warnings are written with the response headers.
    /// </summary>
    private async Task ReadPolicyAsync(HttpContext context, CancellationToken ct)
    {
        if (policy is null || context.Features.Get<PolicyVerdict>() is not null)
        {
            return;
        }

        var verdict = new PolicyVerdict(await policy.CurrentAsync(ct).ConfigureAwait(false));
        context.Features.Set(verdict);
        context.Response.OnStarting(() =>
        {
            foreach (var warning in verdict.Warnings)
            {
                context.Response.Headers.Append("Warning", StackPolicyAdmission.WarningHeader(warning));
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// The cluster policy on a stack about to be written: a create, or an update that changes the spec (one that
    /// leaves it, such as the controller's finalizer and the owner's labels, is not refused for a policy that came later).
    /// </summary>
    private static void CheckPolicy(HttpContext context, JsonObject desired, JsonObject? current, string name)
    {
        if (context.Features.Get<PolicyVerdict>() is not { } verdict || (current is not null && JsonNode.DeepEquals(desired["spec"], current["spec"])))
        {
            return;
        }

        // The last evaluation wins: the update function may run more than once.
        verdict.Warnings = StackPolicyAdmission.Check(verdict.Policy, desired, name, context.RequestAborted);
    }

    private sealed class PolicyVerdict(ClusterPolicy policy)
    {
        public ClusterPolicy Policy { get; } = policy;

        public ImmutableArray<string> Warnings { get; set; } = [];
    }

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            obj["metadata"] = metadata;
        }

        return metadata;
    }

    private async Task CreateAsync(HttpContext context, string version, string ns, CancellationToken ct)
    {
        RequireJson(context);
        var dryRun = DryRun(context);
        var body = HttpBodies.ParseObject(await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false));
        var created = await CreateFromBodyAsync(context, body, version, ns, dryRun, ct).ConfigureAwait(false);
        // Names only: the spec may hold secrets.
        logger.LogInformation("stack {Namespace}/{Name} created by {User}{DryRun}", ns, created["metadata"]?["name"]?.ToString(), User(context).Name, dryRun ? " (dry run)" : string.Empty);
        await WriteObjectAsync(context, 201, created, version, OutputKind.Object, ct).ConfigureAwait(false);
    }

    private async Task<JsonObject> CreateFromBodyAsync(HttpContext context, JsonObject body, string version, string ns, bool dryRun, CancellationToken ct, JsonObject? applied = null)
    {
        var name = body["metadata"]?["name"]?.ToString() ?? string.Empty;
        var stored = Decode(context, body, version, null, name);
        PrepareForCreate(stored, ns, User(context));
        Validate(stored, name);
        await ReadPolicyAsync(context, ct).ConfigureAwait(false);
        CheckPolicy(context, stored, null, name);
        FieldManager.For(context, version, statusOnly: false, time).Track(null, stored, applied);
        return await store.CreateAsync(stored, new WriteOptions(dryRun), ct).ConfigureAwait(false);
    }

    // rest/create.go BeforeCreate: the namespace comes from the URL; the owner from the authenticated user, whatever
    // the body said; status is the controller's (written through the status subresource), so a create drops it.
    private static void PrepareForCreate(JsonObject stored, string ns, UserInfo user)
    {
        var metadata = Metadata(stored);
        var bodyNs = metadata["namespace"]?.ToString();
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = ns;
        stored.Remove("status");
        StackOwner.Set(stored, Owner(user));
    }

    private async Task UpdateAsync(HttpContext context, string version, string ns, string name, CancellationToken ct)
    {
        RequireJson(context);
        var dryRun = DryRun(context);
        var body = HttpBodies.ParseObject(await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false));
        var user = User(context);
        await ReadPolicyAsync(context, ct).ConfigureAwait(false);
        var updated = await store.UpdateAsync(ns, name, current => Replace(context, current, body, version, ns, name, user, statusOnly: false), new WriteOptions(dryRun), ct).ConfigureAwait(false);
        await WriteObjectAsync(context, 200, updated, version, OutputKind.Object, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The object an update writes: the body decoded against the current object. resourceVersion is required
    /// (CRDs do not allow unconditional updates, rest/update.go); metadata the client may not change is kept.
    /// </summary>
    private JsonObject Replace(HttpContext context, JsonObject current, JsonObject body, string version, string ns, string name, UserInfo user, bool statusOnly, JsonObject? applied = null)
    {
        var fields = FieldManager.For(context, version, statusOnly, time);
        var bodyMetadata = body["metadata"] as JsonObject;
        var bodyName = bodyMetadata?["name"]?.ToString();
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            throw ApiStatus.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var bodyNs = bodyMetadata?["namespace"]?.ToString();
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (string.IsNullOrEmpty(bodyMetadata?["resourceVersion"]?.ToString()))
        {
            throw Invalid(name, [new FieldError("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
        }

        var decoded = Decode(context, body, version, current, name);
        JsonObject desired;
        if (statusOnly)
        {
            // The status subresource changes status only (and may not change anything else).
            desired = (JsonObject)current.DeepClone();
            desired["status"] = decoded["status"]?.DeepClone();
            Metadata(desired)["resourceVersion"] = bodyMetadata!["resourceVersion"]!.DeepClone();
            fields.Track(current, desired, applied);
            return desired;
        }

        desired = decoded;
        var metadata = Metadata(desired);
        var currentMetadata = Metadata(current);
        foreach (var key in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name" })
        {
            if (currentMetadata[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
            else
            {
                metadata.Remove(key);
            }
        }

        // Status is kept: only the status subresource writes it.
        if (current["status"] is { } status)
        {
            desired["status"] = status.DeepClone();
        }
        else
        {
            desired.Remove("status");
        }

        // The owner is whoever asked for the spec: a write that leaves the spec as it is (labels, finalizers, status)
        // keeps it, so the controller's own writes never make it the owner (compose-on-kubernetes recorded every writer).
        if (!JsonNode.DeepEquals(desired["spec"], current["spec"]) || StackOwner.Get(current) is null)
        {
            StackOwner.Set(desired, user.ToStackUser());
        }

        Validate(desired, name, current);
        CheckPolicy(context, desired, current, name);
        fields.Track(current, desired, applied);
        return desired;
    }

    private async Task PatchAsync(HttpContext context, string version, string ns, string name, bool statusOnly, CancellationToken ct)
    {
        var patchType = MediaType.Parse(context.Request.ContentType ?? string.Empty).Type;
        if (patchType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/apply-patch+yaml"))
        {
            // Strategic merge patch needs Go struct tags a custom resource does not have: 415, as for CRDs
            // (AX/pkg/apiserver/customresource_handler.go).
            throw ApiStatus.UnsupportedMediaType(ApiStatus.AcceptedPatchTypes);
        }

        var dryRun = DryRun(context);
        var bytes = await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false);
        JsonNode patch;
        try
        {
            patch = JsonNode.Parse(bytes) ?? throw ApiStatus.BadRequest("empty patch");
        }
        catch (JsonException e)
        {
            throw ApiStatus.BadRequest($"error decoding patch: {e.Message}");
        }

        var user = User(context);
        if (!statusOnly)
        {
            await ReadPolicyAsync(context, ct).ConfigureAwait(false);
        }

        if (patchType == "application/apply-patch+yaml")
        {
            await ApplyAsync(context, version, ns, name, patch as JsonObject ?? throw ApiStatus.BadRequest("an apply patch must be an object"), dryRun, statusOnly, ct).ConfigureAwait(false);
            return;
        }

        var updated = await store.UpdateAsync(ns, name, current =>
        {
            var encoded = StackCodec.Encode(current, version);
            var currentRv = Metadata(encoded)["resourceVersion"]?.ToString();
            var patched = patchType == "application/json-patch+json"
                ? Patches.Apply(encoded, patch as JsonArray ?? throw ApiStatus.BadRequest("a JSON patch must be an array of operations"))
                : Patches.Merge(encoded, patch);
            var body = patched as JsonObject ?? throw ApiStatus.BadRequest("the patched object is not an object");
            // A patch conflicts only if it sets metadata.resourceVersion itself (handlers/patch.go).
            if (string.IsNullOrEmpty(Metadata(body)["resourceVersion"]?.ToString()))
            {
                Metadata(body)["resourceVersion"] = currentRv;
            }

            return Replace(context, current, body, version, ns, name, user, statusOnly);
        }, new WriteOptions(dryRun), ct).ConfigureAwait(false);
        await WriteObjectAsync(context, 200, updated, version, OutputKind.Object, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-side apply (AS/pkg/endpoints/handlers/patch.go applyPatcher): the configuration merged onto the current
    /// object, or creating it (201); FieldManager keeps managedFields, prunes and reports conflicts.
    /// </summary>
    private async Task ApplyAsync(HttpContext context, string version, string ns, string name, JsonObject applied, bool dryRun, bool statusOnly, CancellationToken ct)
    {
        ApplyPatches.CheckRequest(context, version, applied);
        var user = User(context);
        try
        {
            var updated = await store.UpdateAsync(ns, name, current =>
            {
                var body = ApplyPatches.Merge(context, current, applied, version, statusOnly, time);
                return Replace(context, current, body, version, ns, name, user, statusOnly, applied);
            }, new WriteOptions(dryRun), ct).ConfigureAwait(false);
            await WriteObjectAsync(context, 200, updated, version, OutputKind.Object, ct).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.NotFound && !statusOnly)
        {
            var body = (JsonObject)applied.DeepClone();
            Metadata(body)["name"] = name;
            var created = await CreateFromBodyAsync(context, body, version, ns, dryRun, ct, applied).ConfigureAwait(false);
            await WriteObjectAsync(context, 201, created, version, OutputKind.Object, ct).ConfigureAwait(false);
        }
    }

    private static async Task<DeleteOptions> DeleteOptionsAsync(HttpContext context, CancellationToken ct)
    {
        var dryRun = DryRun(context);
        var propagation = NullIfEmpty(Query(context, "propagationPolicy"));
        string? uid = null;
        string? rv = null;
        var bytes = await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false);
        if (bytes.Length > 0)
        {
            var body = HttpBodies.ParseObject(bytes, "DeleteOptions");
            uid = body["preconditions"]?["uid"]?.ToString();
            rv = body["preconditions"]?["resourceVersion"]?.ToString();
            propagation ??= body["propagationPolicy"]?.ToString();
            if (body["dryRun"] is JsonArray dry)
            {
                dryRun |= dry.Any(d => d?.ToString() == "All");
            }
        }

        return new DeleteOptions(dryRun, uid, rv, propagation);
    }

    private async Task DeleteAsync(HttpContext context, string version, string ns, string name, CancellationToken ct)
    {
        var options = await DeleteOptionsAsync(context, ct).ConfigureAwait(false);
        var result = await store.DeleteAsync(ns, name, options, ct).ConfigureAwait(false);
        if (result.Deleted)
        {
            await HttpBodies.WriteJsonAsync(context, 200, ApiStatus.Success(name, StackApiGroup.Plural, result.Object["metadata"]?["uid"]?.ToString()), ct).ConfigureAwait(false);
        }
        else
        {
            // Finalizers pending: the object, now with its deletionTimestamp (rest/delete.go).
            await WriteObjectAsync(context, 200, result.Object, version, OutputKind.Object, ct).ConfigureAwait(false);
        }
    }

    private async Task DeleteCollectionAsync(HttpContext context, string version, string ns, CancellationToken ct)
    {
        var options = await DeleteOptionsAsync(context, ct).ConfigureAwait(false);
        var list = await store.ListAsync(new ListOptions(ns, NullIfEmpty(Query(context, "labelSelector")), NullIfEmpty(Query(context, "fieldSelector"))), ct).ConfigureAwait(false);
        var deleted = new JsonArray();
        foreach (var item in list.Items)
        {
            var name = item["metadata"]?["name"]?.ToString() ?? string.Empty;
            try
            {
                var result = await store.DeleteAsync(ns, name, options with { PreconditionUid = null, PreconditionResourceVersion = null }, ct).ConfigureAwait(false);
                deleted.Add(StackCodec.Encode(result.Object, version));
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.NotFound)
            {
                // Deleted by someone else meanwhile: that is what was asked.
            }
        }

        await HttpBodies.WriteJsonAsync(context, 200, new JsonObject
        {
            ["apiVersion"] = StackApiGroup.ApiVersion(version),
            ["kind"] = StackApiGroup.ListKind,
            ["metadata"] = new JsonObject { ["resourceVersion"] = list.ResourceVersion },
            ["items"] = deleted,
        }, ct).ConfigureAwait(false);
    }

    private async Task Subresource(HttpContext context)
    {
        var version = Version(context);
        var subresource = Route(context, "subresource");
        if (!Discovery.IsServed(version, "stacks/" + subresource))
        {
            throw ApiStatus.PathNotFound();
        }

        var ns = Route(context, "ns");
        var name = Route(context, "name");
        var ct = context.RequestAborted;
        var method = context.Request.Method;
        switch (subresource, method)
        {
            case ("status", "GET"):
                await WriteObjectAsync(context, 200, await store.GetAsync(ns, name, ct).ConfigureAwait(false), version, OutputKind.Object, ct).ConfigureAwait(false);
                break;
            case ("status", "PUT"):
                RequireJson(context);
                var statusBody = HttpBodies.ParseObject(await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false));
                var dry = DryRun(context);
                var user = User(context);
                var updated = await store.UpdateAsync(ns, name, current => Replace(context, current, statusBody, version, ns, name, user, statusOnly: true), new WriteOptions(dry), ct).ConfigureAwait(false);
                await WriteObjectAsync(context, 200, updated, version, OutputKind.Object, ct).ConfigureAwait(false);
                break;
            case ("status", "PATCH"):
                await PatchAsync(context, version, ns, name, statusOnly: true, ct).ConfigureAwait(false);
                break;
            case ("scale", "GET"):
                await HttpBodies.WriteJsonAsync(context, 200, Scale(await store.GetAsync(ns, name, ct).ConfigureAwait(false), version), ct).ConfigureAwait(false);
                break;
            case ("scale", "PUT"):
                await PutScaleAsync(context, version, ns, name, ct).ConfigureAwait(false);
                break;
            case ("composeFile", "GET"):
                await GetComposeFileAsync(context, version, ns, name, ct).ConfigureAwait(false);
                break;
            case ("composeFile", "PUT" or "POST"):
                await PutComposeFileAsync(context, version, ns, name, create: method == "POST", ct).ConfigureAwait(false);
                break;
            case ("owner", "GET"):
                var owner = StackOwner.GetOwnerObject(await store.GetAsync(ns, name, ct).ConfigureAwait(false), version) ?? throw ApiStatus.NotFound(name);
                await HttpBodies.WriteJsonAsync(context, 200, owner, ct).ConfigureAwait(false);
                break;
            case ("log", "GET"):
                await store.GetAsync(ns, name, ct).ConfigureAwait(false);
                // With a cluster StackLogs serves stacks/log (its route is mapped ahead of this one).
                throw ApiStatus.ServiceUnavailable(standalone
                    ? "stacks/log needs a cluster: berth-apiserver runs standalone (no --kubeconfig and not in a cluster)"
                    : "stacks/log needs the cluster's configuration to impersonate the requesting user");
            default:
                throw ApiStatus.MethodNotAllowed(method);
        }
    }

    /// <summary>compose-on-kubernetes's Scale (api/compose/v1alpha3/scale.go): spec (wanted) and status (ready) maps of service → replicas.</summary>
    private static JsonObject Scale(JsonObject stored, string version)
    {
        var spec = new JsonObject();
        foreach (var (service, replicas) in StackScale.GetReplicas(stored))
        {
            spec[service] = replicas;
        }

        var metadata = stored["metadata"]?.DeepClone() ?? new JsonObject();
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = StackApiGroup.ApiVersion(version),
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = StackScale.GetReadyReplicas(stored),
        };
    }

    private async Task PutScaleAsync(HttpContext context, string version, string ns, string name, CancellationToken ct)
    {
        RequireJson(context);
        var body = HttpBodies.ParseObject(await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false), "Scale");
        var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (service, value) in body["spec"] as JsonObject ?? [])
        {
            replicas[service] = value is JsonValue v && v.TryGetValue<int>(out var n) ? n : throw ApiStatus.Invalid("Scale", name, [new StatusCause("FieldValueInvalid", $"Invalid value: {value?.ToJsonString()}: must be an integer", $"spec.{service}")]);
        }

        var dry = DryRun(context);
        var rv = body["metadata"]?["resourceVersion"]?.ToString();
        var user = User(context);
        await ReadPolicyAsync(context, ct).ConfigureAwait(false);
        var updated = await store.UpdateAsync(ns, name, current =>
        {
            var desired = (JsonObject)current.DeepClone();
            var errors = StackScale.SetReplicas(desired, replicas);
            if (!errors.IsEmpty)
            {
                throw Invalid(name, errors);
            }

            CheckPolicy(context, desired, current, name);
            if (!string.IsNullOrEmpty(rv))
            {
                Metadata(desired)["resourceVersion"] = rv;
            }

            StackOwner.Set(desired, Owner(user));
            return desired;
        }, new WriteOptions(dry), ct).ConfigureAwait(false);
        await HttpBodies.WriteJsonAsync(context, 200, Scale(updated, version), ct).ConfigureAwait(false);
    }

    private async Task GetComposeFileAsync(HttpContext context, string version, string ns, string name, CancellationToken ct)
    {
        var stored = await store.GetAsync(ns, name, ct).ConfigureAwait(false);
        var text = StackComposeFile.GetText(stored) ?? string.Empty;
        var accept = context.Request.Headers.Accept.ToString();
        // Text unless the client accepts JSON only (kubectl get --raw sends "application/json, */*" and gets text).
        var types = accept.Split(',').Select(a => MediaType.Parse(a).Type).Where(t => t.Length > 0).ToList();
        if (types.Count > 0 && types.All(t => t == "application/json"))
        {
            // compose-on-kubernetes's ComposeFile object, for clients that ask for JSON.
            await HttpBodies.WriteJsonAsync(context, 200, new JsonObject
            {
                ["kind"] = "ComposeFile",
                ["apiVersion"] = StackApiGroup.ApiVersion(version),
                ["metadata"] = stored["metadata"]?.DeepClone(),
                ["composeFile"] = text,
            }, ct).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, ct).ConfigureAwait(false);
    }

    private async Task PutComposeFileAsync(HttpContext context, string version, string ns, string name, bool create, CancellationToken ct)
    {
        var bytes = await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false);
        var type = MediaType.Parse(context.Request.ContentType ?? "text/plain").Type;
        string text;
        if (type == "application/json")
        {
            text = HttpBodies.ParseObject(bytes, "ComposeFile")["composeFile"]?.ToString() ?? string.Empty;
        }
        else if (type is "text/plain" or "application/yaml" or "application/x-yaml" or "text/yaml")
        {
            text = Encoding.UTF8.GetString(bytes);
        }
        else
        {
            throw ApiStatus.UnsupportedMediaType("text/plain, application/yaml, application/json");
        }

        var dry = DryRun(context);
        var user = User(context);
        await ReadPolicyAsync(context, ct).ConfigureAwait(false);
        JsonObject result;
        try
        {
            result = await store.UpdateAsync(ns, name, current =>
            {
                var desired = (JsonObject)current.DeepClone();
                Metadata(desired).Remove("resourceVersion");
                var errors = StackComposeFile.SetText(desired, text);
                if (!errors.IsEmpty)
                {
                    throw Invalid(name, errors);
                }

                StackOwner.Set(desired, Owner(user));
                Validate(desired, name);
                CheckPolicy(context, desired, current, name);
                return desired;
            }, new WriteOptions(dry), ct).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.NotFound && create)
        {
            var stored = new JsonObject
            {
                ["apiVersion"] = StackApiGroup.ApiVersion(StackApiGroup.StorageVersion),
                ["kind"] = StackApiGroup.Kind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["spec"] = new JsonObject(),
            };
            var errors = StackComposeFile.SetText(stored, text);
            if (!errors.IsEmpty)
            {
                throw Invalid(name, errors);
            }

            StackOwner.Set(stored, Owner(user));
            Validate(stored, name);
            CheckPolicy(context, stored, null, name);
            result = await store.CreateAsync(stored, new WriteOptions(dry), ct).ConfigureAwait(false);
            await WriteObjectAsync(context, 201, result, version, OutputKind.Object, ct).ConfigureAwait(false);
            return;
        }

        await WriteObjectAsync(context, 200, result, version, OutputKind.Object, ct).ConfigureAwait(false);
    }
}
