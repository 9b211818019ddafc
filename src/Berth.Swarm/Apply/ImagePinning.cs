using Docker.DotNet;

namespace Berth.Swarm.Apply;

/// <summary>
/// Pins <c>image:tag@digest</c> as docker stack deploy does, so every node runs the same image. The engine asks the
/// registry (distribution inspect); when that fails the reference is sent as written, with docker's warning.
/// </summary>
internal static class ImagePinning
{
    /// <summary>The reference to write for a service: pinned, the running one (changed mode, same reference), or as written.</summary>
    public static async Task<string> ResolveAsync(EngineCalls engine, string image, string? runningImage, ImageResolution mode, CancellationToken cancellationToken)
    {
        if (mode == ImageResolution.Never || HasDigest(image))
        {
            return image;
        }

        if (mode == ImageResolution.Changed && runningImage is not null && WithoutDigest(runningImage) == image)
        {
            return runningImage;
        }

        try
        {
            var inspect = await engine.Read(c => c.Distribution.InspectAsync(image, cancellationToken)).ConfigureAwait(false);
            if (inspect.Descriptor?.Digest is { Length: > 0 } digest)
            {
                return WithDigest(image, digest);
            }
        }
        catch (DockerApiException)
        {
            // Unreachable or unknown to a registry (e.g. an image built locally): fall through to docker's warning.
        }

        engine.Report(UnresolvedWarning(image));
        return image;
    }

    public static string UnresolvedWarning(string image)
        => $"warning: image {image} could not be accessed on a registry to record its digest. Each node will access {image} independently, possibly leading to different nodes running different versions of the image.";

    public static string WithDigest(string image, string digest) => HasDigest(image) ? image : $"{image}@{digest}";

    public static string WithoutDigest(string image)
        => image.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? image[..at] : image;

    private static bool HasDigest(string image) => image.Contains('@', StringComparison.Ordinal);
}
