using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Berth.Testing;

/// <summary>
/// Test images put into a loopback registry with the real engine (<c>docker tag</c> and <c>docker push</c>; dockerd
/// treats 127.0.0.0/8 registries as insecure, so plain HTTP works without daemon settings). Remembers the tags it made
/// (and the repository@digest references the pushes left) and removes them on <see cref="RemoveTags"/>.
/// </summary>
public sealed partial class RegistryImages
{
    /// <summary>The small image the other tests use too (scripts/setup-swarm.sh loads it).</summary>
    public const string Busybox = "berth-test/busybox:1";

    private readonly List<string> _tags = [];

    /// <summary>
    /// Tags <paramref name="source"/> as <paramref name="target"/> and pushes it (with the Docker config in
    /// <paramref name="dockerConfigDirectory"/> when given); returns the digest docker push printed.
    /// </summary>
    public string Push(string source, string target, string? dockerConfigDirectory = null)
    {
        Docker(["tag", source, target]);
        lock (_tags)
        {
            _tags.Add(target);
        }

        List<string> args = dockerConfigDirectory is null ? [] : ["--config", dockerConfigDirectory];
        var push = Docker([.. args, "push", target]);
        var digest = PushedDigest().Match(push.Stdout);
        Assert.True(digest.Success, $"docker push {target} printed no digest:\n{push}");

        // The engine keeps repository@digest after the tag moves or goes: removed with the tags.
        lock (_tags)
        {
            _tags.Add(target[..target.LastIndexOf(':')] + "@" + digest.Groups[1].Value);
        }

        return digest.Groups[1].Value;
    }

    /// <summary>The digest docker inspect records for <paramref name="target"/> (its RepoDigests entry for that repository).</summary>
    public static string RepoDigest(string target)
    {
        var inspect = Docker(["inspect", "--format", "{{json .RepoDigests}}", target]);
        var repository = target[..target.LastIndexOf(':')];
        var entries = JsonSerializer.Deserialize<List<string>>(inspect.Stdout.Trim()) ?? [];
        var entry = entries.SingleOrDefault(e => e.StartsWith(repository + "@", StringComparison.Ordinal));
        Assert.True(entry is not null, $"docker inspect {target}: no RepoDigests entry for {repository}: {inspect.Stdout}");
        return entry[(repository.Length + 1)..];
    }

    /// <summary>A new one-layer image (a file with a fresh GUID, so its digest is new) made with <c>docker import</c>, tagged <paramref name="tag"/>.</summary>
    public string CreateUnique(string tag)
    {
        var tar = Path.Combine(Path.GetTempPath(), "berth-registry-image-" + Guid.NewGuid().ToString("N")[..12] + ".tar");
        try
        {
            using (var stream = File.Create(tar))
            using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "unique.txt")
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Guid.NewGuid().ToString())),
                };
                writer.WriteEntry(entry);
            }

            Docker(["import", tar, tag]);
            lock (_tags)
            {
                _tags.Add(tag);
            }

            return tag;
        }
        finally
        {
            File.Delete(tar);
        }
    }

    /// <summary>Removes the tags and digest references this instance made (the images they alone named go with them).</summary>
    public void RemoveTags()
    {
        string[] tags;
        lock (_tags)
        {
            tags = [.. _tags];
            _tags.Clear();
        }

        if (tags.Length > 0)
        {
            // Best effort: a tag already gone is fine.
            ToolProcess.Run("docker", ["rmi", .. tags], withoutAmbient: true);
        }
    }

    private static ToolResult Docker(IEnumerable<string> args)
    {
        var result = ToolProcess.Run("docker", args, withoutAmbient: true);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', args)} failed:\n{result}");
        return result;
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64}) size:")]
    private static partial Regex PushedDigest();
}
