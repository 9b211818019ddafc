using Docker.DotNet;

namespace Berth.Swarm.Apply;

/// <summary>
/// Pins <c>image:tag@digest</c> as docker stack deploy does, so every node runs the same image. The engine asks the
/// registry (distribution inspect); when that fails the reference is sent as written, with docker's warning.
/// </summary>
internal static class ImagePinning
{
    /// <summary>
    /// How long one registry lookup may take before the reference is sent as written (with docker's warning). With
    /// no registry reachable the engine's DNS lookup can stall for 5 s; a deploy should not wait on that.
    /// </summary>
    private static readonly TimeSpan s_lookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The reference to write for a service: pinned, the running one (changed mode, same reference), or as written.</summary>
    public static Task<string> ResolveAsync(EngineCalls engine, string image, string? runningImage, ImageResolution mode, CancellationToken cancellationToken)
        => new Cache().ResolveAsync(engine, image, runningImage, mode, cancellationToken);

    /// <summary>Asks the engine (and so the registry) for the digest of <paramref name="image"/>; on failure or timeout, warns and returns it as written.</summary>
    internal static async Task<string> LookUpAsync(EngineCalls engine, string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var inspect = await engine.Read(c => c.Distribution.InspectAsync(image, bounded.Token)).ConfigureAwait(false);
            if (inspect.Descriptor?.Digest is { Length: > 0 } digest)
            {
                return WithDigest(image, digest);
            }
        }
        catch (DockerApiException)
        {
            // Unreachable or unknown to a registry (e.g. an image built locally): fall through to docker's warning.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The lookup took longer than the bound: treated as unreachable, like the engine's own failure.
        }

        engine.Publish(new Berth.Stacks.Events.ImageNotPinned(image));
        return image;
    }

    /// <summary>
    /// One deploy's lookups: each distinct image is looked up once, however many services use it (concurrent
    /// services wait for the same lookup), so a 60-service stack of one image asks the registry once and warns once.
    /// </summary>
    internal sealed class Cache(TimeSpan? timeout = null)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string>>> _lookups = new(StringComparer.Ordinal);

        public Task<string> ResolveAsync(EngineCalls engine, string image, string? runningImage, ImageResolution mode, CancellationToken cancellationToken)
        {
            if (mode == ImageResolution.Never || HasDigest(image))
            {
                return Task.FromResult(image);
            }

            if (mode == ImageResolution.Changed && runningImage is not null && WithoutDigest(runningImage) == image)
            {
                return Task.FromResult(runningImage);
            }

            return _lookups.GetOrAdd(image, i => new Lazy<Task<string>>(() => LookUpAsync(engine, i, timeout ?? s_lookupTimeout, cancellationToken))).Value;
        }
    }

    /// <summary>docker's warning for an image whose digest could not be read, as printed for <see cref="Berth.Stacks.Events.ImageNotPinned"/>.</summary>
    public static string UnresolvedWarning(string image) => Berth.Stacks.Events.StackEventText.Line(new Berth.Stacks.Events.ImageNotPinned(image))!;

    public static string WithDigest(string image, string digest) => HasDigest(image) ? image : $"{image}@{digest}";

    public static string WithoutDigest(string image)
        => image.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? image[..at] : image;

    private static bool HasDigest(string image) => image.Contains('@', StringComparison.Ordinal);
}
