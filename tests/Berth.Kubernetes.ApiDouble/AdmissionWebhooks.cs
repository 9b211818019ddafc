using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// What admission sees of one write (k8s.io/apiserver pkg/admission/attributes.go): the object and old object at the
/// version they are stored at (<see cref="Type"/>), the version the client asked for (<see cref="RequestType"/>), the
/// user after impersonation. Not tied to custom resources: a built-in type's write can be described the same way.
/// </summary>
internal sealed record AdmissionAttributes(
    string Operation,
    ResourceType Type,
    ResourceType RequestType,
    string? Subresource,
    string? Namespace,
    string Name,
    JsonObject? Object,
    JsonObject? OldObject,
    DoubleUser User,
    JsonObject Options);

/// <summary>
/// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (k8s.io/apiserver pkg/admission/plugin/webhook):
/// configurations in name order (configuration/*_webhook_manager.go), rules matched by predicates/rules/rules.go,
/// namespaceSelector and objectSelector (predicates/namespace, predicates/object), mutating webhooks first, one after
/// another, each JSONPatch applied before the next is called (mutating/dispatcher.go), then validating ones
/// (validating/dispatcher.go); failurePolicy, timeoutSeconds and the denial wording of errors/statuserror.go.
/// </summary>
internal sealed class AdmissionWebhooks(ObjectStore store, WebhookClient client)
{
    public static readonly ResourceType MutatingConfigurations = ResourceCatalog.Require("mutatingwebhookconfigurations.admissionregistration.k8s.io");
    public static readonly ResourceType ValidatingConfigurations = ResourceCatalog.Require("validatingwebhookconfigurations.admissionregistration.k8s.io");

    private long _uids;

    /// <summary>Runs the matching mutating webhooks; answers the object as they left it.</summary>
    public JsonObject? Mutate(AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        var current = attributes.Object;
        foreach (var webhook in Matching(MutatingConfigurations, attributes))
        {
            var response = Call(webhook, attributes with { Object = current }, cancellationToken);
            if (response is null)
            {
                continue;
            }

            if (response["allowed"]?.GetValue<bool>() != true)
            {
                throw Denied(webhook, response);
            }

            if (response["patch"]?.ToString() is { Length: > 0 } patch && current is not null)
            {
                if (response["patchType"]?.ToString() != "JSONPatch")
                {
                    throw ApiException.InternalError($"failed calling webhook \"{Name(webhook)}\": unsupported patch type \"{response["patchType"]}\"");
                }

                var operations = JsonNode.Parse(Convert.FromBase64String(patch)) as JsonArray ?? [];
                current = JsonPatch.Apply(current, operations);
            }
        }

        return current;
    }

    /// <summary>
    /// Runs the matching validating webhooks; the first denial or failed call (failurePolicy Fail) is thrown. Answers
    /// the admitting webhooks' <c>warnings</c>, which kube-apiserver sends the client as <c>Warning</c> headers.
    /// </summary>
    public List<string> Validate(AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        foreach (var webhook in Matching(ValidatingConfigurations, attributes))
        {
            if (Call(webhook, attributes, cancellationToken) is not { } response)
            {
                continue;
            }

            if (response["allowed"]?.GetValue<bool>() != true)
            {
                throw Denied(webhook, response);
            }

            warnings.AddRange((response["warnings"] as JsonArray ?? []).Select(w => w?.ToString() ?? string.Empty));
        }

        return warnings;
    }

    private List<JsonObject> Matching(ResourceType configurations, AdmissionAttributes attributes)
    {
        lock (store.Gate)
        {
            return store.List(configurations, null)
                .OrderBy(c => c["metadata"]!["name"]!.ToString(), StringComparer.Ordinal)
                .SelectMany(c => (c["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
                .Where(w => RulesMatch(w, attributes) && NamespaceMatches(w, attributes) && ObjectMatches(w, attributes))
                .Select(w => (JsonObject)w.DeepClone())
                .ToList();
        }
    }

    /// <summary>
    /// predicates/rules/rules.go: operations, apiGroups, apiVersions, resources ("stacks", "stacks/status", "*", "*/*",
    /// "stacks/*", "*/status") and scope. With matchPolicy Equivalent (the default) a rule also matches the version the
    /// object is converted to; here that is the storage version, the version the objects are sent at.
    /// </summary>
    private static bool RulesMatch(JsonObject webhook, AdmissionAttributes attributes)
    {
        var equivalent = webhook["matchPolicy"]?.ToString() != "Exact";
        return (webhook["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule =>
            Contains(rule["operations"], attributes.Operation)
            && Contains(rule["apiGroups"], attributes.Type.Group)
            && (Contains(rule["apiVersions"], attributes.RequestType.Version) || (equivalent && Contains(rule["apiVersions"], attributes.Type.Version)))
            && ResourceMatches(rule["resources"], attributes.Type.Plural, attributes.Subresource ?? "")
            && (rule["scope"]?.ToString() ?? "*") switch
            {
                "Cluster" => !attributes.Type.Namespaced,
                "Namespaced" => attributes.Type.Namespaced,
                _ => true,
            });
    }

    private static bool Contains(JsonNode? list, string value) =>
        (list as JsonArray ?? []).Any(item => item?.ToString() is { } entry && (entry == "*" || entry == value));

    private static bool ResourceMatches(JsonNode? list, string resource, string subresource)
    {
        foreach (var entry in (list as JsonArray ?? []).Select(i => i?.ToString() ?? ""))
        {
            var parts = entry.Split('/', 2);
            var (wantResource, wantSub) = (parts[0], parts.Length > 1 ? parts[1] : "");
            if ((wantResource == "*" || wantResource == resource) && (wantSub == "*" || wantSub == subresource))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>predicates/namespace/matcher.go: cluster-scoped objects always match; others by their namespace's labels.</summary>
    private bool NamespaceMatches(JsonObject webhook, AdmissionAttributes attributes)
    {
        if (webhook["namespaceSelector"] is not JsonObject selector || attributes.Namespace is null)
        {
            return true;
        }

        var ns = store.Find(ResourceCatalog.Namespaces, null, attributes.Namespace)?.Object;
        return ns is not null && Selector(selector).Matches(ns);
    }

    /// <summary>predicates/object/matcher.go: the object or the old object matches the objectSelector.</summary>
    private static bool ObjectMatches(JsonObject webhook, AdmissionAttributes attributes)
    {
        if (webhook["objectSelector"] is not JsonObject selector)
        {
            return true;
        }

        var parsed = Selector(selector);
        return (attributes.Object is { } obj && parsed.Matches(obj)) || (attributes.OldObject is { } old && parsed.Matches(old));
    }

    /// <summary>A metav1.LabelSelector as the label query it stands for (metav1.LabelSelectorAsSelector).</summary>
    private static LabelSelector Selector(JsonObject selector)
    {
        var terms = new List<string>();
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? [])
        {
            terms.Add($"{key}={value}");
        }

        foreach (var expression in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = expression["key"]?.ToString();
            var values = string.Join(",", (expression["values"] as JsonArray ?? []).Select(v => v?.ToString()));
            terms.Add(expression["operator"]?.ToString() switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => $"{key}",
                _ => $"!{key}",
            });
        }

        return LabelSelector.Parse(string.Join(",", terms));
    }

    /// <summary>One call; null when the call failed and failurePolicy is Ignore (dispatcher.go's ignoreClientCallFailures).</summary>
    private JsonObject? Call(JsonObject webhook, AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        var uid = $"00000000-0000-4000-a000-{Interlocked.Increment(ref _uids):x12}";
        var timeout = TimeSpan.FromSeconds(webhook["timeoutSeconds"]?.GetValue<int>() ?? 10);
        try
        {
            var answer = client.Post(webhook["clientConfig"] as JsonObject ?? [], Review(uid, attributes), timeout, cancellationToken);
            var response = answer["response"] as JsonObject ?? throw new WebhookCallException("the webhook answered an AdmissionReview without a response");
            if (response["uid"]?.ToString() != uid)
            {
                // request/admissionreview.go VerifyAdmissionResponse: the response must name the request it answers.
                throw new WebhookCallException($"expected response.uid=\"{uid}\", got \"{response["uid"]}\"");
            }

            return response;
        }
        catch (WebhookCallException failed)
        {
            if (webhook["failurePolicy"]?.ToString() == "Ignore")
            {
                return null;
            }

            // webhookutil.ErrCallingWebhook, answered as apierrors.NewInternalError.
            throw ApiException.InternalError($"failed calling webhook \"{Name(webhook)}\": failed to call webhook: {failed.Message}");
        }
    }

    private static string Name(JsonObject webhook) => webhook["name"]?.ToString() ?? "";

    /// <summary>errors/statuserror.go ToStatusErr: the webhook's status with "admission webhook "x" denied the request: ...", code at least 400.</summary>
    private static ApiException Denied(JsonObject webhook, JsonObject response)
    {
        var status = response["status"] as JsonObject ?? [];
        var code = status["code"]?.GetValue<int>() ?? 0;
        var deniedBy = $"admission webhook \"{Name(webhook)}\" denied the request";
        var message = status["message"]?.ToString() is { Length: > 0 } text ? $"{deniedBy}: {text}"
            : status["reason"]?.ToString() is { Length: > 0 } reasonText ? $"{deniedBy}: {reasonText}"
            : $"{deniedBy} without explanation";
        return new ApiException(code < 400 ? 400 : code, status["reason"]?.ToString() ?? "", message, status["details"] as JsonObject);
    }

    /// <summary>The AdmissionReview (admission.k8s.io/v1) kube-apiserver sends (request/admissionreview.go CreateV1AdmissionReview).</summary>
    private static JsonObject Review(string uid, AdmissionAttributes a)
    {
        var user = new JsonObject
        {
            ["username"] = a.User.Name,
            ["uid"] = a.User.Uid,
            ["groups"] = new JsonArray(a.User.Groups.Select(g => (JsonNode)g).ToArray()),
        };
        if (!a.User.Extra.IsEmpty)
        {
            user["extra"] = new JsonObject(a.User.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode)v).ToArray()))));
        }

        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = Gvk(a.Type),
            ["resource"] = Gvr(a.Type),
            ["requestKind"] = Gvk(a.RequestType),
            ["requestResource"] = Gvr(a.RequestType),
            ["name"] = a.Name,
            ["operation"] = a.Operation,
            ["userInfo"] = user,
            ["object"] = a.Object?.DeepClone(),
            ["oldObject"] = a.OldObject?.DeepClone(),
            ["dryRun"] = false,
            ["options"] = a.Options.DeepClone(),
        };
        if (a.Subresource is not null)
        {
            request["subResource"] = a.Subresource;
            request["requestSubResource"] = a.Subresource;
        }

        if (a.Namespace is not null)
        {
            request["namespace"] = a.Namespace;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }

    private static JsonObject Gvk(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };

    private static JsonObject Gvr(ResourceType type) => new() { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural };

    /// <summary>The options object of a write (CreateOptions, UpdateOptions — patches and applies too — or DeleteOptions).</summary>
    public static JsonObject Options(string operation, string? fieldManager)
    {
        var options = new JsonObject
        {
            ["kind"] = operation switch { "CREATE" => "CreateOptions", "DELETE" => "DeleteOptions", _ => "UpdateOptions" },
            ["apiVersion"] = "meta.k8s.io/v1",
        };
        if (operation != "DELETE" && fieldManager is not null)
        {
            options["fieldManager"] = fieldManager;
        }

        return options;
    }
}
