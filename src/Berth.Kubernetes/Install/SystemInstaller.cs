using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Apply;
using k8s;

namespace Berth.Kubernetes.Install;

/// <summary>What one object of an install became.</summary>
public enum InstallAction
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>One line of install progress: the action, the object (<c>Kind ns/name</c>) and, when updated, which fields.</summary>
public sealed record InstallStep(InstallAction Action, string Object, ImmutableArray<string> Fields);

public sealed record InstallResult(ImmutableArray<InstallStep> Steps, int Reads, int Writes, bool TlsGenerated);

/// <summary>A Deployment's readiness as status reports it.</summary>
public sealed record InstalledDeployment(string Name, int Ready, int Desired, string? Image);

/// <summary>An APIService's Available or the CRD's Established condition.</summary>
public sealed record InstalledCondition(string Object, string Type, string Status, string? Reason);

public sealed record InstallStatus(
    bool Installed,
    InstallMode? Mode,
    string Namespace,
    ImmutableArray<InstalledDeployment> Deployments,
    ImmutableArray<InstalledCondition> Conditions,
    ImmutableArray<string> Notes);

public sealed record UninstallResult(ImmutableArray<string> Deleted, ImmutableArray<string> Kept, int Writes);

/// <summary>
/// <c>berth system install|status|uninstall</c> against a cluster: applies <see cref="InstallManifests"/> in order with
/// server-side apply (field manager <c>berth-install</c>), reading each object first so that an unchanged install
/// writes nothing; reports what is there; removes what install made (by its labels).
/// </summary>
public static class SystemInstaller
{
    private const string StackLabel = "com.docker.stack.namespace";

    /// <summary>
    /// The manifests for the cluster as it is: the TLS material comes from the existing Secret while it is still good
    /// (so caBundles do not change on every run), else it is generated.
    /// </summary>
    public static async Task<(ImmutableArray<JsonObject> Objects, bool TlsGenerated)> PlanAsync(IKubernetes client, InstallOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (objects, generated, _) = await PlanAsync(new InstallApi(Rest(client)), options, cancellationToken).ConfigureAwait(false);
        return (objects, generated);
    }

    public static async Task<InstallResult> InstallAsync(IKubernetes client, InstallOptions options, Action<InstallStep> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var api = new InstallApi(Rest(client));
        var (objects, generated, secret) = await PlanAsync(api, options, cancellationToken).ConfigureAwait(false);
        var steps = ImmutableArray.CreateBuilder<InstallStep>();
        foreach (var desired in objects)
        {
            var kind = InstallKind.Of(desired);
            var name = (string)desired["metadata"]!["name"]!;
            var ns = (string?)desired["metadata"]!["namespace"];
            var path = kind.ObjectPath(ns, name);
            var live = kind.Kind == "Secret" && name == InstallManifests.TlsSecretName ? secret : await api.GetAsync(path, cancellationToken).ConfigureAwait(false);
            InstallStep step;
            var label = $"{kind.Kind} {(ns is null ? name : $"{ns}/{name}")}";
            if (live is null)
            {
                await api.ApplyAsync(path, desired, cancellationToken).ConfigureAwait(false);
                step = new InstallStep(InstallAction.Created, label, []);
            }
            else
            {
                var changed = Changed(desired, live);
                if (!changed.IsEmpty)
                {
                    await api.ApplyAsync(path, desired, cancellationToken).ConfigureAwait(false);
                }

                step = new InstallStep(changed.IsEmpty ? InstallAction.Unchanged : InstallAction.Updated, label, changed);
            }

            steps.Add(step);
            progress(step);
        }

        return new InstallResult(steps.ToImmutable(), api.Reads, api.Writes, generated);
    }

    public static async Task<InstallStatus> StatusAsync(IKubernetes client, string @namespace, CancellationToken cancellationToken)
    {
        var api = new InstallApi(Rest(client));
        var deployments = ImmutableArray.CreateBuilder<InstalledDeployment>();
        foreach (var deployment in await api.ListAsync(InstallKind.Named("Deployment").CollectionPath(@namespace), InstallManifests.Selector, cancellationToken).ConfigureAwait(false))
        {
            deployments.Add(new InstalledDeployment(
                (string)deployment["metadata"]!["name"]!,
                (int?)deployment["status"]?["readyReplicas"] ?? 0,
                (int?)deployment["spec"]?["replicas"] ?? 1,
                (string?)deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]));
        }

        var conditions = ImmutableArray.CreateBuilder<InstalledCondition>();
        var apiServices = await api.ListAsync(InstallKind.Named("APIService").CollectionPath(null), InstallManifests.Selector, cancellationToken).ConfigureAwait(false);
        foreach (var service in apiServices)
        {
            conditions.Add(Condition(service, "APIService", "Available"));
        }

        var crds = await api.ListAsync(InstallKind.Named("CustomResourceDefinition").CollectionPath(null), InstallManifests.Selector, cancellationToken).ConfigureAwait(false);
        foreach (var crd in crds)
        {
            conditions.Add(Condition(crd, "CustomResourceDefinition", "Established"));
        }

        InstallMode? mode = apiServices.Count > 0 ? InstallMode.Aggregated : crds.Count > 0 ? InstallMode.Crd : null;
        var notes = mode == InstallMode.Crd && deployments.Any(d => d.Name == InstallManifests.ApiServerName && d.Ready == 0)
            ? ImmutableArray.Create("no berth-apiserver pod is ready to serve the stacks' webhooks: stack writes are refused (failurePolicy Fail) until one is")
            : [];
        var installed = mode is not null && deployments.Count > 0;
        return new InstallStatus(installed, mode, @namespace, [.. deployments.OrderBy(d => d.Name, StringComparer.Ordinal)], conditions.ToImmutable(), notes);
    }

    /// <summary>
    /// Deletes what install made, found by its labels, in reverse apply order. Kept unless <paramref name="all"/>: the
    /// stacks' own workloads (anything labelled com.docker.stack.namespace), the CRD (deleting it deletes every stack),
    /// the etcd claim (the aggregated mode's stacks) and so the namespace holding it.
    /// </summary>
    public static async Task<UninstallResult> UninstallAsync(IKubernetes client, string @namespace, bool all, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var api = new InstallApi(Rest(client));
        var deleted = ImmutableArray.CreateBuilder<string>();
        var kept = ImmutableArray.CreateBuilder<string>();
        var calls = new ApiCalls(client, Stacks.Events.StackEventSink.None);

        // The stacks' workloads: listed by the same rows stack deploy uses.
        var stackObjects = new List<(ResourceKind Kind, string Namespace, string Name)>();
        foreach (var kind in ResourceKinds.All)
        {
            foreach (var obj in await calls.Read(c => kind.ListAllNamespaces(c, StackLabel, cancellationToken)).ConfigureAwait(false))
            {
                stackObjects.Add((kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name));
            }
        }

        var claimKind = new InstallKind("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true);
        var claims = await api.ListAsync(claimKind.CollectionPath(@namespace), InstallManifests.Selector, cancellationToken).ConfigureAwait(false);
        var keepNamespace = !all && claims.Count > 0;
        foreach (var kind in InstallKind.All.Reverse())
        {
            foreach (var obj in await api.ListAsync(kind.CollectionPath(null), InstallManifests.Selector, cancellationToken).ConfigureAwait(false))
            {
                var name = (string)obj["metadata"]!["name"]!;
                var ns = (string?)obj["metadata"]!["namespace"];
                var label = $"{kind.Kind} {(ns is null ? name : $"{ns}/{name}")}";
                if ((kind.Kind == "CustomResourceDefinition" && !all) || (kind.Kind == "Namespace" && keepNamespace))
                {
                    kept.Add(label + (kind.Kind == "Namespace" ? " (holds the etcd claim)" : " (deleting it deletes every stack)"));
                    continue;
                }

                if (await api.DeleteAsync(kind.ObjectPath(ns, name), cancellationToken).ConfigureAwait(false))
                {
                    deleted.Add(label);
                    progress("deleted " + label);
                }
            }
        }

        foreach (var claim in claims)
        {
            var label = $"PersistentVolumeClaim {@namespace}/{claim["metadata"]!["name"]}";
            if (!all)
            {
                kept.Add(label + " (the stacks stored by berth-apiserver)");
            }
            else if (await api.DeleteAsync(claimKind.ObjectPath(@namespace, (string)claim["metadata"]!["name"]!), cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(label);
                progress("deleted " + label);
            }
        }

        foreach (var (kind, ns, name) in stackObjects.OrderBy(o => o.Kind.DeleteRank))
        {
            var label = $"{kind.Kind} {ns}/{name}";
            if (!all)
            {
                kept.Add(label);
                continue;
            }

            await calls.Write(c => kind.Delete(c, name, ns, cancellationToken)).ConfigureAwait(false);
            deleted.Add(label);
            progress("deleted " + label);
        }

        return new UninstallResult(deleted.ToImmutable(), kept.ToImmutable(), api.Writes + calls.Writes);
    }

    private static k8s.Kubernetes Rest(IKubernetes client)
        => client as k8s.Kubernetes ?? throw new ArgumentException("install needs the KubernetesClient's own client (its HttpClient and credentials)", nameof(client));

    private static async Task<(ImmutableArray<JsonObject> Objects, bool TlsGenerated, JsonObject? Secret)> PlanAsync(InstallApi api, InstallOptions options, CancellationToken cancellationToken)
    {
        var secret = await api.GetAsync(InstallKind.Named("Secret").ObjectPath(options.Namespace, InstallManifests.TlsSecretName), cancellationToken).ConfigureAwait(false);
        var names = InstallTls.DnsNames(InstallManifests.ServingServiceName(options.Mode), options.Namespace);
        var now = DateTimeOffset.UtcNow;
        var data = (secret?["data"] as JsonObject)?.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
        var existing = data is null ? null : InstallTls.FromSecretData(data, names, now);
        var tls = existing ?? InstallTls.Generate(names, now);

        // Round-tripped through text so numbers compare with what the server answers.
        var objects = InstallManifests.Build(options, tls, StackCrdSchemas.Load()).Select(o => (JsonObject)JsonNode.Parse(o.ToJsonString())!).ToImmutableArray();
        return (objects, existing is null, secret);
    }

    /// <summary>The fields an apply would change (names only); a Secret's data is compared too, never printed.</summary>
    private static ImmutableArray<string> Changed(JsonObject desired, JsonObject live)
    {
        var changed = FieldDiff.Changed(desired, live, InstallApi.FieldManager);
        if ((string?)desired["kind"] == "Secret" && (!JsonNode.DeepEquals(desired["data"], live["data"]) || !JsonNode.DeepEquals(desired["type"], live["type"])))
        {
            changed = changed.Add("data");
        }

        return changed;
    }

    private static InstalledCondition Condition(JsonObject obj, string kind, string type)
    {
        var condition = (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        return new InstalledCondition($"{kind} {obj["metadata"]!["name"]}", type, (string?)condition?["status"] ?? "Unknown", (string?)condition?["reason"]);
    }
}
