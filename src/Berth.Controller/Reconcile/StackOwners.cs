using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using Berth.StackApi;

namespace Berth.Controller.Reconcile;

/// <summary>Which server serves compose.docker.com stacks (<c>--stack-source</c>), and so where each stack's owner is recorded.</summary>
internal enum StackSource
{
    /// <summary>Found out at start by discovery (<see cref="StackOwners.DetectAsync"/>).</summary>
    Auto,

    /// <summary>berth-apiserver behind APIServices: the owner is its <c>stacks/owner</c> subresource.</summary>
    Aggregated,

    /// <summary>The CustomResourceDefinition: the owner is the annotation Berth's mutating webhook records.</summary>
    Crd,
}

/// <summary>
/// A stack's recorded owner, or why there is none. <see cref="Reported"/>: the absence goes into the stack's status
/// (CRD mode: a stack admitted without Berth's webhook); otherwise it is only logged. <see cref="Retry"/>: the owner
/// could not be read (refused, or the server failed), which says nothing about the stack: the reconcile is retried.
/// </summary>
internal sealed record RecordedOwner(Impersonation? Owner, string Missing, bool Reported, bool Retry = false)
{
    /// <summary>The Failure reason of a stack whose owner is not recorded.</summary>
    public const string NoOwnerReason = "NoOwner";
}

/// <summary>
/// Where a stack's owner comes from, whichever mode serves stacks. Aggregated: berth-apiserver's <c>stacks/owner</c>
/// subresource (it records the writer of every create and update). CRD: the <c>compose.docker.com/owner</c>
/// annotation (<see cref="OwnerAnnotation"/>), which can be trusted because only Berth's mutating webhook writes it:
/// the webhook sets it from the AdmissionReview's userInfo on every create and every update that changes the spec,
/// puts it back when a client drops it, and refuses any other value a client sends. The controller trusts nothing
/// else: a stack without it (created while the webhook configuration was not installed) gets a Failure status and
/// nothing is deployed.
/// </summary>
internal sealed class StackOwners(StackSource configured, k8s.Kubernetes controllerClient, ILogger logger)
{
    private static readonly TimeSpan DetectRetry = TimeSpan.FromSeconds(2);

    // Set once by ResolveAsync before any reconcile (the workers start after it), read by every worker.
    private volatile StackSource _source = configured;

    public StackSource Source => _source;

    /// <summary>
    /// With <see cref="StackSource.Auto"/>, asks discovery until stacks are served (logging while they are not), then
    /// keeps the answer for the process's life. False when cancelled first.
    /// </summary>
    public async Task<bool> ResolveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WaitUntilServedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<bool> WaitUntilServedAsync(CancellationToken cancellationToken)
    {
        var waiting = false;
        while (_source == StackSource.Auto)
        {
            if (await DetectAsync(controllerClient, cancellationToken).ConfigureAwait(false) is { } found)
            {
                _source = found;
                logger.LogInformation("compose.docker.com stacks are served by {Source}: owners are read from {Where}", found == StackSource.Crd ? "the CustomResourceDefinition" : "berth-apiserver (aggregation)", found == StackSource.Crd ? $"the {OwnerAnnotation.Key} annotation" : "the stacks/owner subresource");
                break;
            }

            if (!waiting)
            {
                logger.LogWarning("compose.docker.com/{Version} stacks are not served yet (neither berth-apiserver's APIService nor the CRD stacks.compose.docker.com answers); asking again every {Seconds} s. Install Berth with 'berth system install', or pass --stack-source", StackApiGroup.V1Beta1, DetectRetry.TotalSeconds);
                waiting = true;
            }

            await Task.Delay(DetectRetry, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Which mode serves stacks, from the API discovery document of compose.docker.com/v1beta1 (the version the
    /// controller reads; every authenticated user may read discovery, system:discovery): berth-apiserver lists the
    /// <c>stacks/owner</c> subresource, a CRD never can (its only subresources are status and scale). Null when the
    /// version is not served (404) or its server does not answer (503 from the aggregator, a connection error).
    /// </summary>
    public static async Task<StackSource?> DetectAsync(k8s.Kubernetes client, CancellationToken cancellationToken)
    {
        ClusterAnswer answer;
        try
        {
            answer = await ClusterJson.SendAsync(client, HttpMethod.Get, $"apis/{StackApiGroup.Group}/{StackApiGroup.V1Beta1}", null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }

        var names = (answer.Body?["resources"] as JsonArray ?? []).Select(r => r?["name"]?.ToString()).ToHashSet(StringComparer.Ordinal);
        return answer.Status != HttpStatusCode.OK ? null
            : names.Contains("stacks/owner") ? StackSource.Aggregated
            : names.Contains("stacks") ? StackSource.Crd
            : null;
    }

    /// <summary>The owner of <paramref name="stack"/> (read by the controller at <paramref name="key"/>).</summary>
    public async Task<RecordedOwner> OwnerAsync(StackKey key, JsonObject stack, CancellationToken cancellationToken)
    {
        if (_source == StackSource.Crd)
        {
            if (OwnerAnnotation.OwnerOf(stack) is { } user)
            {
                return new RecordedOwner(new Impersonation(user.Name, user.Uid, user.Groups.IsDefault ? [] : user.Groups, user.Extra), string.Empty, Reported: true);
            }

            return new RecordedOwner(null, OwnerAnnotation.Of(stack) is null
                ? $"no owner is recorded: the stack has no {OwnerAnnotation.Key} annotation, so it was admitted without Berth's mutating webhook (created before the webhook configuration was installed?); nothing is deployed. Once 'berth system status' shows the webhooks, apply the stack again with a changed spec to record you as its owner"
                : $"the {OwnerAnnotation.Key} annotation is not an owner Berth's mutating webhook wrote; nothing is deployed", Reported: true);
        }

        var path = $"apis/{StackApiGroup.Group}/{StackApiGroup.V1Beta2}/namespaces/{Uri.EscapeDataString(key.Namespace)}/stacks/{Uri.EscapeDataString(key.Name)}/owner";
        var answer = await ClusterJson.SendAsync(controllerClient, HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.Forbidden)
        {
            return new RecordedOwner(null, $"the controller may not read the stack's owner (get stacks/owner): {answer.Message}; its ClusterRole needs it ('berth system install' grants it)", Reported: false, Retry: true);
        }

        if (!answer.IsSuccess && answer.Status != HttpStatusCode.NotFound)
        {
            // A 5xx (berth-apiserver without etcd, the aggregator without berth-apiserver) is not an answer about the owner.
            return new RecordedOwner(null, $"cannot read the stack's owner (stacks/owner): {answer.Message}", Reported: false, Retry: true);
        }

        if (answer.Body?["owner"] is not JsonObject owner || owner["UserName"]?.ToString() is not { Length: > 0 } name)
        {
            return new RecordedOwner(null, "no owner is recorded: nothing is deployed (only berth-apiserver's stacks are reconciled)", Reported: false);
        }

        // The owner subresource serves compose-on-kubernetes's impersonation.Config (UserName, Groups, Extra); the
        // uid berth-apiserver stores is not served, so none is impersonated.
        return new RecordedOwner(
            new Impersonation(
                name,
                null,
                owner["Groups"] is JsonArray groups ? [.. groups.Select(g => g!.ToString())] : [],
                owner["Extra"] is JsonObject extra
                    ? extra.ToImmutableDictionary(e => e.Key, e => e.Value is JsonArray values ? values.Select(v => v!.ToString()).ToImmutableArray() : [], StringComparer.Ordinal)
                    : ImmutableDictionary<string, ImmutableArray<string>>.Empty),
            string.Empty,
            Reported: false);
    }
}
