using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Security;
using Berth.StackApi;
using Berth.StackApi.Storage;
using Berth.Stacks;

namespace Berth.ApiServer.Http;

/// <summary>
/// The collision check of create and update (dry runs too), after compose-on-kubernetes's validateCollisions
/// (internal/registry/strategyvalidate.go): every object Berth's converter would create for the stack and name per
/// service (Services, Deployments, StatefulSets, DaemonSets, Jobs, HorizontalPodAutoscalers, Ingresses) is read
/// from the cluster as the requesting user; one that exists without the label com.docker.stack.namespace=&lt;this
/// stack&gt; fails the request with 422 Invalid and a Duplicate cause per object. Unlike compose-on-kubernetes (which
/// read with its own rights and skipped objects it could not read), a read the user is refused refuses the request.
/// </summary>
internal sealed class StackCollisions(ImpersonatingClient cluster)
{
    // Kinds the converter names after a service, with their resource names.
    private static readonly ImmutableDictionary<string, string> Checked = new Dictionary<string, string>
    {
        ["Service"] = "services",
        ["Deployment"] = "deployments",
        ["StatefulSet"] = "statefulsets",
        ["DaemonSet"] = "daemonsets",
        ["Job"] = "jobs",
        ["HorizontalPodAutoscaler"] = "horizontalpodautoscalers",
        ["Ingress"] = "ingresses",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Throws 422 Invalid naming every colliding object, or the cluster's refusal of a read.</summary>
    public async Task CheckAsync(UserInfo user, JsonObject stack, CancellationToken cancellationToken)
    {
        var ns = stack["metadata"]?["namespace"]?.ToString() ?? "default";
        var name = stack["metadata"]?["name"]?.ToString() ?? string.Empty;
        var planned = StackValidator.PlannedObjects(stack).Where(o => Checked.ContainsKey(o.Kind)).Distinct().ToList();
        var found = await Task.WhenAll(planned.Select(o => ReadLabelsAsync(user, ns, o, cancellationToken))).ConfigureAwait(false);
        var causes = new List<StatusCause>();
        for (var i = 0; i < planned.Count; i++)
        {
            if (found[i] is not { } labels)
            {
                continue;
            }

            var owner = labels[StackLabels.StackNamespace]?.ToString();
            if (owner == name)
            {
                continue;
            }

            // appendErrOnCollision: field.Duplicate(field.NewPath(stackName), "<kind> <name> already exists[ in stack <other>]").
            var detail = $"{planned[i].Kind.ToLowerInvariant()} {planned[i].Name} already exists" + (owner is null ? string.Empty : $" in stack {owner}");
            causes.Add(new StatusCause("FieldValueDuplicate", $"Duplicate value: {JsonSerializer.Serialize(detail)}", name));
        }

        if (causes.Count > 0)
        {
            throw ApiStatus.Invalid(StackApiGroup.Kind, name, causes);
        }
    }

    // The object's labels when it exists (an object without labels: empty), null when it does not.
    private async Task<JsonObject?> ReadLabelsAsync(UserInfo user, string ns, PlannedObject planned, CancellationToken cancellationToken)
    {
        var root = planned.ApiVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{planned.ApiVersion}" : $"api/{planned.ApiVersion}";
        var path = $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Checked[planned.Kind]}/{Uri.EscapeDataString(planned.Name)}";
        ClusterResponse response;
        try
        {
            response = await cluster.GetAsync(user, path, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // Never let a stack through toCheck.
            throw ApiStatus.ServiceUnavailable($"the collision check could not read {Checked[planned.Kind]} \"{planned.Name}\" from the cluster: {e.Message}");
        }

        await using (response.ConfigureAwait(false))
        {
            if (response.Status == 404)
            {
                return null;
            }

            if (!response.IsSuccess)
            {
                throw await response.RefusalAsync($"the collision check could not read {Checked[planned.Kind]} \"{planned.Name}\"", cancellationToken).ConfigureAwait(false);
            }

            var existing = JsonNode.Parse(await response.ReadTextAsync(cancellationToken).ConfigureAwait(false));
            return existing?["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        }
    }
}

/// <summary>
/// The store with the collision check in front of create and update, as the requesting user (the request's
/// <see cref="UserInfo"/>). An update is checked only when it changes the spec (status, finalizer and label writes
/// are never blocked): the first attempt stops before writing when the spec changes, the desired object is
/// checked, and the write is then made if the spec written is the one checked (else 409, as for any concurrent change).
/// </summary>
internal sealed class CollisionCheckedStackStore(IStackStore inner, StackCollisions collisions, Func<UserInfo?> requestingUser) : IStackStore
{
    private UserInfo User => requestingUser() ?? throw new InvalidOperationException("a stack write outside a request has no user to check collisions as");

    public async Task<JsonObject> CreateAsync(JsonObject stack, WriteOptions options, CancellationToken ct)
    {
        await collisions.CheckAsync(User, stack, ct).ConfigureAwait(false);
        return await inner.CreateAsync(stack, options, ct).ConfigureAwait(false);
    }

    public async Task<JsonObject> UpdateAsync(string ns, string name, Func<JsonObject, JsonObject> mutate, WriteOptions options, CancellationToken ct)
    {
        JsonObject toCheck;
        try
        {
            return await inner.UpdateAsync(ns, name, current =>
            {
                var before = Spec(current);
                var desired = mutate(current);
                return Spec(desired) == before ? desired : throw new SpecChanged(desired);
            }, options, ct).ConfigureAwait(false);
        }
        catch (SpecChanged changed)
        {
            toCheck = changed.Desired;
        }

        await collisions.CheckAsync(User, toCheck, ct).ConfigureAwait(false);
        var checkedSpec = Spec(toCheck);
        return await inner.UpdateAsync(ns, name, current =>
        {
            var before = Spec(current);
            var desired = mutate(current);
            var spec = Spec(desired);
            return spec == checkedSpec || spec == before
                ? desired
                : throw ApiStatus.Conflict(name, "the object has been modified; please apply your changes to the latest version and try again");
        }, options, ct).ConfigureAwait(false);
    }

    private static string? Spec(JsonObject stack) => stack["spec"]?.ToJsonString();

    public Task<JsonObject> GetAsync(string ns, string name, CancellationToken ct) => inner.GetAsync(ns, name, ct);

    public Task<DeleteResult> DeleteAsync(string ns, string name, DeleteOptions options, CancellationToken ct) => inner.DeleteAsync(ns, name, options, ct);

    public Task<StackListResult> ListAsync(ListOptions options, CancellationToken ct) => inner.ListAsync(options, ct);

    public IAsyncEnumerable<StoreWatchEvent> WatchAsync(WatchOptions options, CancellationToken ct) => inner.WatchAsync(options, ct);

    public Task<bool> CheckHealthAsync(CancellationToken ct) => inner.CheckHealthAsync(ct);

    // Stops the first attempt of an update before anything is written: its spec must be checked first.
    private sealed class SpecChanged(JsonObject desired) : Exception("the update changes the spec: collision check first")
    {
        public JsonObject Desired { get; } = desired;
    }
}
