using System.Text.Json;
using Berth.Swarm.Convert;

namespace Berth.Swarm.Apply;

/// <summary>
/// <c>--resolve-image always</c> on a running stack: a service whose live image is the same reference pinned to a
/// digest is looked up again, and when its tag now names another digest the desired spec carries the new pinned
/// reference, so the plan shows the moved tag (<c>stack diff</c>) and deploy updates the service. A tag that did not
/// move, or a lookup that fails (docker's warning), leaves the service as it is: no write. Other modes, and services
/// whose reference changed (pinned when written), are left to <see cref="ImagePinning"/>.
/// </summary>
internal static class MovedTags
{
    /// <summary>The plan with moved tags pinned to their new digests (copies of the affected specs; the plan itself is not changed).</summary>
    public static async Task<SwarmPlan> PinAsync(EngineCalls engine, SwarmPlan plan, SwarmState state, ImageResolution mode, CancellationToken cancellationToken)
    {
        if (mode != ImageResolution.Always)
        {
            return plan;
        }

        var running = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var live in state.Services)
        {
            if (live.Spec is { Name: { } name, TaskTemplate.ContainerSpec.Image: { } liveImage })
            {
                running.TryAdd(name, liveImage);
            }
        }

        var lookups = new ImagePinning.Cache();
        var services = await Task.WhenAll(plan.Services.Select(async service =>
        {
            var image = service.Spec.TaskTemplate?.ContainerSpec?.Image;
            if (image is null || image.Contains('@', StringComparison.Ordinal)
                || !running.TryGetValue(service.Name, out var live)
                || !live.Contains('@', StringComparison.Ordinal) || ImagePinning.WithoutDigest(live) != image)
            {
                return service;
            }

            var pinned = await lookups.ResolveAsync(engine, image, live, mode, cancellationToken).ConfigureAwait(false);
            if (pinned == live || !pinned.Contains('@', StringComparison.Ordinal))
            {
                return service;
            }

            var spec = JsonSerializer.Deserialize(SwarmJson.SerializeToUtf8Bytes(service.Spec), SwarmJsonContext.Default.ServiceSpec)!;
            spec.TaskTemplate!.ContainerSpec!.Image = pinned;
            return service with { Spec = spec };
        })).ConfigureAwait(false);
        return plan with { Services = [.. services] };
    }
}
