using System.Collections.Immutable;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Registry;
using Berth.Stacks;
using Berth.Swarm.Apply;
using k8s;
using k8s.Models;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// <c>--resolve-image</c> on Kubernetes: the converted plan's container images pinned to the registry's digests
/// (<see cref="DigestResolver"/>, from where the command runs) before anything is planned or written, by Swarm's rules:
/// <c>always</c> resolves every tag; <c>changed</c> keeps a live workload's reference when the tag is the one written
/// (no registry request, so an unchanged redeploy writes nothing) and resolves the rest; <c>never</c> leaves them as
/// written. Unlike docker's warning, a tag that must be resolved and is not stops the deploy: a pinned deploy that
/// quietly falls back to tags would not be pinned.
/// </summary>
internal static class KubernetesImagePins
{
    /// <summary>Without a request (flag or config): the kubelet resolves tags when it pulls, and an in-cluster caller may have no registry access.</summary>
    public const ImageResolution Default = ImageResolution.Never;

    /// <summary>One resolution (token round trip included) may take this long; Swarm bounds the engine's lookup at 3 s, a token adds a round trip.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    /// <summary>The stack's live workloads of the kinds the plan has, by <c>Kind/name</c> (label-selected LISTs; reads only).</summary>
    public static async Task<IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>>> ReadLiveAsync(IKubernetes client, string @namespace, string stack, KubernetesPlan plan, CancellationToken cancellationToken)
    {
        var kinds = plan.Objects.Where(o => PodSpec(o) is not null).Select(o => o.Kind).Distinct(StringComparer.Ordinal)
            .Select(ResourceKinds.Find).OfType<ResourceKind>().ToList();
        var lists = await Task.WhenAll(kinds.Select(k => k.List(client, @namespace, $"{StackLabels.StackNamespace}={stack}", cancellationToken))).ConfigureAwait(false);
        var live = new Dictionary<string, IKubernetesObject<V1ObjectMeta>>(StringComparer.Ordinal);
        for (var i = 0; i < kinds.Count; i++)
        {
            foreach (var item in lists[i].Where(o => o.Metadata?.Name is not null))
            {
                live[$"{kinds[i].Kind}/{item.Metadata.Name}"] = item;
            }
        }

        return live;
    }

    /// <summary>
    /// Rewrites every container image of the plan's workloads (in place) as <paramref name="mode"/> says. Throws
    /// <see cref="StackInputException"/> naming every image that could not be resolved, before anything is written.
    /// </summary>
    public static async Task PinAsync(KubernetesPlan plan, ImageResolution mode, IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>> live, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (mode == ImageResolution.Never)
        {
            return;
        }

        // Each container keeps its live reference (changed mode, same tag) or waits for its image's one resolution.
        var containers = new List<(V1Container Container, string Image)>();
        foreach (var workload in plan.Objects)
        {
            if (PodSpec(workload) is not { } spec)
            {
                continue;
            }

            var livePod = live.GetValueOrDefault($"{workload.Kind}/{workload.Metadata.Name}") is { } l ? PodSpec(l) : null;
            foreach (var container in Containers(spec))
            {
                if (container.Image is not { Length: > 0 } image || image.Contains('@', StringComparison.Ordinal))
                {
                    continue;
                }

                var running = livePod is null ? null : Containers(livePod).FirstOrDefault(c => c.Name == container.Name)?.Image;
                if (mode == ImageResolution.Changed && running is not null && ImagePinning.WithoutDigest(running) == image)
                {
                    container.Image = running;
                    continue;
                }

                containers.Add((container, image));
            }
        }

        if (containers.Count == 0)
        {
            return;
        }

        using var resolver = new DigestResolver(new DigestResolverOptions { Environment = environment, Timeout = s_timeout });
        var images = containers.Select(c => c.Image).Distinct(StringComparer.Ordinal).ToList();
        var resolutions = await Task.WhenAll(images.Select(i => resolver.ResolveAsync(i, cancellationToken))).ConfigureAwait(false);
        var failed = resolutions.Where(r => !r.IsResolved).ToList();
        if (failed.Count > 0)
        {
            throw new StackInputException(Failure(mode, failed));
        }

        var pinned = resolutions.ToDictionary(r => r.Image, r => r.PinnedImage!, StringComparer.Ordinal);
        foreach (var (container, image) in containers)
        {
            container.Image = pinned[image];
        }
    }

    /// <summary>
    /// A workload update's image changes, live → desired (<c>stack diff</c> shows them with their values, and says when
    /// a digest moved under the same tag); empty for other objects.
    /// </summary>
    public static ImmutableArray<StackFieldChange> ImageChanges(IKubernetesObject<V1ObjectMeta>? desired, IKubernetesObject<V1ObjectMeta>? live)
    {
        if (desired is null || PodSpec(desired) is not { } want || live is null || PodSpec(live) is not { } have)
        {
            return [];
        }

        var changes = ImmutableArray.CreateBuilder<StackFieldChange>();
        foreach (var (list, wanted, current) in new[] { ("containers", want.Containers, have.Containers), ("initContainers", want.InitContainers, have.InitContainers) })
        {
            foreach (var container in wanted ?? [])
            {
                var from = current?.FirstOrDefault(c => c.Name == container.Name)?.Image;
                if (from is not null && container.Image is { } to && from != to)
                {
                    changes.Add(new StackFieldChange($"spec.template.spec.{list}[{container.Name}].image", from, to, ImageChangeText(from, to)));
                }
            }
        }

        return changes.ToImmutable();
    }

    /// <summary>
    /// <c>image x:1@sha256:aaaa… → @sha256:bbbb… (tag 1 moved)</c> when only the digest changed under the same tag,
    /// else <c>image x:1@… → x:2@…</c>; digests shortened to 12 digits (<c>-o json</c> has them whole).
    /// </summary>
    internal static string ImageChangeText(string from, string to)
    {
        var (fromName, fromDigest) = Split(from);
        var (toName, toDigest) = Split(to);
        return fromName == toName && fromDigest is not null && toDigest is not null
            ? $"image {fromName}@{Short(fromDigest)} → @{Short(toDigest)} (tag {TagOf(fromName)} moved)"
            : $"image {Shorten(from)} → {Shorten(to)}";

        static string Shorten(string image) => Split(image) is (var name, { } digest) ? $"{name}@{Short(digest)}" : image;
    }

    private static string Failure(ImageResolution mode, List<DigestResolution> failed)
    {
        var count = failed.Count == 1 ? "1 image" : $"{failed.Count} images";
        var lines = failed.OrderBy(f => f.Image, StringComparer.Ordinal).Select(f => $"  {f.Image}: {f.Failure!.Message}");
        return $"--resolve-image {mode.ToString().ToLowerInvariant()}: {count} could not be pinned to a registry digest; nothing was changed\n"
            + string.Join('\n', lines)
            + "\nhint: fix the image or the registry (or its credentials in the Docker config file), or deploy with --resolve-image never: the kubelet then resolves each tag when it pulls";
    }

    private static (string Name, string? Digest) Split(string image)
        => image.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? (image[..at], image[(at + 1)..]) : (image, null);

    private static string Short(string digest)
        => digest.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] + "…" : digest;

    /// <summary>The tag of a reference without digest: after the last <c>:</c> that follows the last <c>/</c> (a port's comes before it); <c>latest</c> when none.</summary>
    private static string TagOf(string name)
    {
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[(colon + 1)..] : "latest";
    }

    private static IEnumerable<V1Container> Containers(V1PodSpec spec) => (spec.InitContainers ?? []).Concat(spec.Containers ?? []);

    private static V1PodSpec? PodSpec(IKubernetesObject<V1ObjectMeta> item) => item switch
    {
        V1Deployment d => d.Spec?.Template?.Spec,
        V1StatefulSet s => s.Spec?.Template?.Spec,
        V1DaemonSet d => d.Spec?.Template?.Spec,
        V1Job j => j.Spec?.Template?.Spec,
        _ => null,
    };
}
