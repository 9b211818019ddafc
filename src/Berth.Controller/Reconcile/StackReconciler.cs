using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using Berth.Policy.Cluster;
using Berth.StackApi;
using Berth.StackService;
using Berth.Stacks.Events;
using k8s;

namespace Berth.Controller.Reconcile;

/// <summary>How one reconcile ended: done (nothing to retry), or failed in a way worth retrying with backoff.</summary>
internal enum ReconcileResult
{
    Done,
    Failed,
}

/// <summary>
/// Reconciles one stack with the CLI's code: reads it (as the controller), loads its Compose file with the loader
/// the Stack API validator uses, and deploys it with <see cref="IStackService"/> for Kubernetes (converter, planner,
/// server-side apply, prune — what <c>berth stack deploy --orchestrator kubernetes --detach</c> runs) in the
/// stack's namespace, under the cluster deploy policy (ConfigMap berth-policy, <see cref="ClusterPolicies"/>), as the stack's recorded owner (impersonation with the controller's credentials). Every
/// object carries a controlling ownerReference to the stack; a finalizer makes deletion remove them
/// (<see cref="IStackService.RemoveAsync"/>) before the stack goes. Status is written through stacks/status as the
/// owner, only when it changes.
/// </summary>
internal sealed class StackReconciler(string? kubeconfig, k8s.Kubernetes controllerClient, StackOwners owners, ILogger logger, ClusterPolicySource? clusterPolicy = null)
{
    /// <summary>compose-on-kubernetes has no finalizer (it relied on its own delete hook); Berth's name.</summary>
    public const string Finalizer = "compose.docker.com/stack-cleanup";

    private readonly StackEvents _events = new(controllerClient, logger);

    /// <summary>An annotation on the stack: "true" makes deletion remove the stack's PersistentVolumeClaims too.</summary>
    public const string RemoveVolumesAnnotation = "compose.docker.com/remove-volumes";

    // v1beta1 serves spec.composeFile (stored, or written from the structure); owner and status are in every version.
    private const string ReadVersion = StackApiGroup.V1Beta1;
    private const string WriteVersion = StackApiGroup.V1Beta2;

    private static string StackPath(string version, StackKey key, string? subresource = null)
        => $"apis/{StackApiGroup.Group}/{version}/namespaces/{Uri.EscapeDataString(key.Namespace)}/stacks/{Uri.EscapeDataString(key.Name)}"
           + (subresource is null ? string.Empty : "/" + subresource);

    public async Task<ReconcileResult> ReconcileAsync(StackKey key, CancellationToken cancellationToken)
    {
        var read = await ClusterJson.SendAsync(controllerClient, HttpMethod.Get, StackPath(ReadVersion, key), null, null, cancellationToken).ConfigureAwait(false);
        if (read.Status == System.Net.HttpStatusCode.NotFound)
        {
            return ReconcileResult.Done;
        }

        if (!read.IsSuccess || read.Body is not { } stack)
        {
            logger.LogWarning("stack {Stack}: cannot read it: {Message}", key, read.Message);
            return ReconcileResult.Failed;
        }

        var recorded = await owners.OwnerAsync(key, stack, cancellationToken).ConfigureAwait(false);
        if (recorded.Owner is not { } owner)
        {
            logger.LogWarning("stack {Stack}: {Missing}", key, recorded.Missing);
            if (recorded.Retry)
            {
                return ReconcileResult.Failed;
            }

            // Said in the status as the controller: there is no owner to write as.
            return recorded.Reported ? await WriteStatusAsync(controllerClient, key, stack, StackStatus.Failure(RecordedOwner.NoOwnerReason, recorded.Missing, Generation(stack)), cancellationToken).ConfigureAwait(false) : ReconcileResult.Done;
        }

        var access = new KubernetesAccessOptions { Kubeconfig = kubeconfig, Namespace = key.Namespace, Impersonate = owner };
        using var asOwner = KubernetesCluster.Connect(access);
        var ownerClient = (k8s.Kubernetes)asOwner.Client;
        var metadata = stack["metadata"] as JsonObject ?? [];
        var finalizers = (metadata["finalizers"] as JsonArray)?.Select(f => f?.ToString()).OfType<string>().ToList() ?? [];
        using var service = StackServices.Kubernetes(access, Environment.GetEnvironmentVariable);

        if (metadata["deletionTimestamp"] is not null)
        {
            return finalizers.Contains(Finalizer)
                ? await RemoveAsync(key, stack, finalizers, service, ownerClient, cancellationToken).ConfigureAwait(false)
                : ReconcileResult.Done;
        }

        if (!finalizers.Contains(Finalizer))
        {
            // Before any child exists, so that no deletion can leave children behind. Written as the owner: an
            // update records its writer as the owner (StackOwner.Set), and the controller must not become it.
            var added = await PatchFinalizersAsync(ownerClient, key, metadata, [.. finalizers, Finalizer], cancellationToken).ConfigureAwait(false);
            if (!added.IsSuccess)
            {
                return await WriteStatusAsync(ownerClient, key, stack, StackStatus.Failure(added.Reason, $"the finalizer could not be added as {owner.User}: {added.Message}", Generation(stack)), cancellationToken).ConfigureAwait(false);
            }
        }

        var status = await DeployAsync(key, stack, owner, service, cancellationToken).ConfigureAwait(false);
        var written = await WriteStatusAsync(ownerClient, key, stack, status, cancellationToken).ConfigureAwait(false);

        return status.Retried ? ReconcileResult.Failed : written;
    }

    private const string TransientReason = "ClusterUnavailable";

    /// <summary>The status reason of a stack the cluster deploy policy denies (phase Failure, so compose-on-kubernetes's clients stop waiting).</summary>
    public const string PolicyDeniedReason = "PolicyDenied";

    /// <summary>The status reason while the policy ConfigMap is invalid or unreadable (fails closed; retried with backoff).</summary>
    public const string PolicyUnavailableReason = "PolicyUnavailable";

    private sealed record PolicyRead(Berth.Policy.Model.DeployPolicy? Policy, string? Refusal);

    private async Task<PolicyRead> PolicyAsync(StackKey key, CancellationToken cancellationToken)
    {
        if (clusterPolicy is null)
        {
            return new PolicyRead(null, null);
        }

        var read = await clusterPolicy.GetAsync(cancellationToken).ConfigureAwait(false);
        switch (read.State)
        {
            case ClusterPolicyState.Active:
                return new PolicyRead(read.Policy, null);
            case ClusterPolicyState.Invalid when read.FailsOpen:
                logger.LogWarning("stack {Stack}: {Problem}", key, read.InvalidMessage);
                return new PolicyRead(null, null);
            case ClusterPolicyState.Invalid:
                return new PolicyRead(null, read.InvalidMessage);
            default:
                return new PolicyRead(null, null);
        }
    }

    /// <summary>
    /// The violations as the status and the Event say them: the policy, then each error with its place in the
    /// stack's Compose text, rule code, message and hint. Rules read no environment values or secret contents.
    /// </summary>
    private static string PolicyText(StackPolicyChecked check)
    {
        var errors = check.Violations.Where(v => v.Severity == Berth.Compose.Diagnostics.Severity.Error).ToList();
        return $"policy {check.Policy} denies the stack ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}); nothing was written: "
               + string.Join("; ", errors.Select(v => $"{(v.YamlPath is { } at ? at + ": " : string.Empty)}spec.composeFile:{v.Location.Line}:{v.Location.Column}: {v.Code}: {v.Message}{(v.Hint is { Length: > 0 } h ? $" (hint: {h})" : string.Empty)}"));
    }

    /// <summary>The stack's namespace's labels; null (logged) when they cannot be read, as admission still applies them to pods.</summary>
    private async Task<IReadOnlyDictionary<string, string>?> NamespaceLabelsAsync(StackKey key, CancellationToken cancellationToken)
    {
        try
        {
            var read = await controllerClient.CoreV1.ReadNamespaceAsync(key.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return read.Metadata?.Labels is { } labels ? labels.AsReadOnly() : ImmutableDictionary<string, string>.Empty;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            logger.LogWarning("stack {Stack}: the namespace's Pod Security labels were not read ({Status})", key, (int?)e.Response?.StatusCode);
            return null;
        }
    }

    private static long Generation(JsonObject stack) => stack["metadata"]?["generation"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : 0;

    private async Task<StackStatus> DeployAsync(StackKey key, JsonObject stack, Impersonation owner, IStackService service, CancellationToken cancellationToken)
    {
        var generation = Generation(stack);
        var text = stack["spec"]?["composeFile"]?.ToString();
        if (string.IsNullOrEmpty(text))
        {
            return StackStatus.Failure("InvalidComposeFile", "the stack has no Compose file", generation);
        }

        var (project, errors) = StackComposeFile.Load(text, key.Name);
        if (project is null)
        {
            return StackStatus.Failure("InvalidComposeFile", string.Join("; ", errors.Select(e => e.Message)), generation);
        }

        var policy = await PolicyAsync(key, cancellationToken).ConfigureAwait(false);
        if (policy.Refusal is { } unusable)
        {
            return StackStatus.Failure(PolicyUnavailableReason, unusable, generation);
        }

        var sink = new CollectingSink();
        var volumes = stack["metadata"]?["annotations"]?[RemoveVolumesAnnotation]?.ToString() == "true";
        var request = new StackDeployRequest(key.Name, project)
        {
            Detach = true,
            Volumes = volumes,
            // The stack object is the history (its generation); no revision Secrets beside it.
            HistoryMax = 0,
            // The client creates file-based secrets and configs itself (docker/cli stack.go): no contents here.
            ResourceContents = ImmutableDictionary<string, ImmutableArray<byte>>.Empty,
            OwnerReference = new StackObjectOwner(StackApiGroup.ApiVersion(WriteVersion), StackApiGroup.Kind, key.Name, stack["metadata"]?["uid"]?.ToString() ?? string.Empty),
            // StackPolicyGate evaluates it in plan and deploy before any write; the Stack API refused most already,
            // this catches stacks stored before the policy, or admitted under an earlier one.
            Policy = policy.Policy,
            // The namespace's Pod Security labels too: admission would refuse the pods anyway; this says so with the
            // Compose line, before anything is written. Read with the controller's rights, not the owner's.
            NamespaceLabels = await NamespaceLabelsAsync(key, cancellationToken).ConfigureAwait(false),
        };
        StackDeployResult result;
        try
        {
            // Reads only: with nothing to change, nothing is written (an unchanged resync); else the owner's rights
            // are checked for every change before the first write.
            var plan = await service.PlanAsync(request, sink, cancellationToken).ConfigureAwait(false);
            if (plan.PolicyCheck is { Denied: true } denied)
            {
                return StackStatus.Failure(PolicyDeniedReason, PolicyText(denied), generation);
            }

            if (plan.PolicyCheck is { Violations.IsEmpty: false } warned)
            {
                logger.LogWarning("stack {Stack}: {Count} policy warning(s) under {Policy}", key, warned.Violations.Length, warned.Policy);
            }

            if (plan.Invalid)
            {
                return StackStatus.Failure("InvalidComposeFile", string.Join("; ", sink.Errors()), generation);
            }

            if (plan.HasChanges && await OwnerAccess.RefusalAsync(controllerClient, owner, key.Namespace, plan.Changes, cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                return StackStatus.Failure("Forbidden", refusal, generation);
            }

            result = plan.HasChanges
                ? await service.DeployAsync(request, sink, cancellationToken).ConfigureAwait(false)
                : new StackDeployResult(StackOrchestrator.Kubernetes, key.Name);
        }
        catch (StackOrchestratorException e)
        {
            // 403 (impersonation or RBAC) and 422 come with the cluster's own words, which name the object, never its data.
            var refused = e.InnerException is k8s.Autorest.HttpOperationException { Response.StatusCode: var code } ? (int)code : 0;
            var reason = refused switch { 403 => "Forbidden", 422 => "Invalid", 409 => "Conflict", 0 => TransientReason, _ => "ApplyFailed" };
            return StackStatus.Failure(reason, e.Message, generation);
        }

        if (result.PolicyDenied)
        {
            return StackStatus.Failure(PolicyDeniedReason, PolicyText(result.PolicyCheck!), generation);
        }

        if (result.Invalid)
        {
            return StackStatus.Failure("InvalidComposeFile", string.Join("; ", sink.Errors()), generation);
        }

        if (!result.Collisions.IsEmpty)
        {
            return StackStatus.Failure("Collision", string.Join("; ", result.Collisions.Select(c => $"{c.Kind} {c.Name}: {c.Reason}")), generation);
        }

        if (!result.Refusals.IsEmpty)
        {
            return StackStatus.Failure("Refused", string.Join("; ", result.Refusals.Select(r => $"{r.Kind} {r.Name}: {r.Message}")), generation);
        }

        logger.LogInformation("stack {Stack}: {Created} created, {Updated} updated, {Removed} removed, {Unchanged} unchanged", key, result.Created.Length, result.Updated.Length, result.Removed.Length, result.Unchanged.Length);
        var services = await ServiceStatuses.ReadAsync(controllerClient, key.Namespace, key.Name, cancellationToken).ConfigureAwait(false);
        var changed = result.Created.Length + result.Updated.Length + result.Removed.Length > 0;
        return ServiceStatuses.Summarize(services, generation) with { Applied = changed ? new(result.Created.Length, result.Updated.Length, result.Removed.Length) : null };
    }

    private async Task<ReconcileResult> RemoveAsync(StackKey key, JsonObject stack, List<string> finalizers, IStackService service, k8s.Kubernetes ownerClient, CancellationToken cancellationToken)
    {
        var volumes = stack["metadata"]?["annotations"]?[RemoveVolumesAnnotation]?.ToString() == "true";
        try
        {
            var removed = await service.RemoveAsync(key.Name, new StackRemoveOptions { Volumes = volumes }, new CollectingSink(), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("stack {Stack}: deleted; {Removed} object(s) removed, claims kept: {Kept}", key, removed.Removed.Length, removed.KeptVolumes.Length);
        }
        catch (StackOrchestratorException e)
        {
            logger.LogWarning("stack {Stack}: its objects could not be removed: {Message}", key, e.Message);
            await WriteStatusAsync(ownerClient, key, stack, StackStatus.Failure("RemoveFailed", e.Message, Generation(stack)), cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Failed;
        }

        var released = await PatchFinalizersAsync(ownerClient, key, (JsonObject)stack["metadata"]!, [.. finalizers.Where(f => f != Finalizer)], cancellationToken).ConfigureAwait(false);
        return released.IsSuccess || released.Status == System.Net.HttpStatusCode.NotFound ? ReconcileResult.Done : ReconcileResult.Failed;
    }

    // A merge patch of metadata.finalizers, conditional on the resourceVersion read (a concurrent change: 409, retried).
    private static Task<ClusterAnswer> PatchFinalizersAsync(k8s.Kubernetes client, StackKey key, JsonObject metadata, List<string> finalizers, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => JsonValue.Create(f))]),
            },
        };
        return ClusterJson.SendAsync(client, HttpMethod.Patch, StackPath(WriteVersion, key), patch, "application/merge-patch+json", cancellationToken);
    }

    private async Task<ReconcileResult> WriteStatusAsync(k8s.Kubernetes ownerClient, StackKey key, JsonObject stack, StackStatus status, CancellationToken cancellationToken)
    {
        await _events.RecordAsync(key, stack, status, cancellationToken).ConfigureAwait(false);
        var current = stack["status"] as JsonObject;
        if (status.IsWritten(current))
        {
            return ReconcileResult.Done;
        }

        var patch = new JsonObject { ["status"] = status.Patch(current, DateTime.UtcNow) };
        var answer = await ClusterJson.SendAsync(ownerClient, HttpMethod.Patch, StackPath(WriteVersion, key, "status"), patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccess && answer.Status != System.Net.HttpStatusCode.NotFound)
        {
            logger.LogWarning("stack {Stack}: the status could not be written: {Message}", key, answer.Message);
            return ReconcileResult.Failed;
        }

        if (status.Phase == StackPhase.Failure)
        {
            logger.LogWarning("stack {Stack}: {Reason}: {Message}", key, status.Reason, status.Message);
        }

        return ReconcileResult.Done;
    }

    /// <summary>Keeps the conversion's errors (for a Failure status); the rest of the events are not needed.</summary>
    private sealed class CollectingSink : IStackEventSink
    {
        private readonly List<string> _errors = [];

        public void Publish(StackEvent stackEvent)
        {
            if (stackEvent is StackConverted converted)
            {
                lock (_errors)
                {
                    _errors.AddRange(converted.Diagnostics.Where(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error).Select(d => $"{d.Code}: {d.Message}"));
                }
            }
        }

        public IEnumerable<string> Errors()
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }
}
