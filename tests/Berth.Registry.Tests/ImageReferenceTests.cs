namespace Berth.Registry.Tests;

/// <summary>Reference parsing as docker normalizes names (distribution's reference package is the rule followed).</summary>
public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:5126f5401d02737565fe0347f6db8d91407a22ddaf9bce365f361a12b7e8e51b";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("library/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("index.docker.io/busybox:1", "docker.io", "library/busybox", "1", null)]
    [InlineData("bitnami/redis:7", "docker.io", "bitnami/redis", "7", null)]
    [InlineData("ghcr.io/owner/app/web:v2", "ghcr.io", "owner/app/web", "v2", null)]
    [InlineData("127.0.0.1:5000/x:1", "127.0.0.1:5000", "x", "1", null)]
    [InlineData("127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", null)]
    [InlineData("localhost/x", "localhost", "x", "latest", null)]
    [InlineData("localhost:5000/team/x:1", "localhost:5000", "team/x", "1", null)]
    [InlineData("[::1]:5000/x:1", "[::1]:5000", "x", "1", null)]
    [InlineData("registry:5000/x", "registry:5000", "x", "latest", null)]
    [InlineData("Registry/x", "Registry", "x", "latest", null)]
    [InlineData("busybox@" + Digest, "docker.io", "library/busybox", null, Digest)]
    [InlineData("127.0.0.1:5000/x:1@" + Digest, "127.0.0.1:5000", "x", "1", Digest)]
    public void TryParse_NormalizesAsDocker(string image, string registry, string repository, string? tag, string? digest)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out var error), error);
        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "not a valid repository name")]
    [InlineData("busybox:", "not a valid tag")]
    [InlineData("busybox:-x", "not a valid tag")]
    [InlineData("busybox@sha256:123", "not a digest")]
    [InlineData("127.0.0.1:5000/", "not a valid repository name")]
    [InlineData("a..b.io/x", "not a valid registry host")]
    public void TryParse_Invalid_SaysWhatIsWrong(string image, string expected)
    {
        Assert.False(ImageReference.TryParse(image, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/x", true)]
    [InlineData("127.1.2.3:5000/x", true)]
    [InlineData("localhost:5000/x", true)]
    [InlineData("localhost/x", true)]
    [InlineData("[::1]:5000/x", true)]
    [InlineData("busybox", false)]
    [InlineData("registry.example.com:5000/x", false)]
    [InlineData("10.0.0.1:5000/x", false)]
    public void IsLoopback_MeansPlainHttp(string image, bool loopback)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out _));
        Assert.Equal(loopback, reference.IsLoopback);
        Assert.Equal(loopback ? "http" : "https", DigestResolver.ManifestUri(reference).Scheme);
    }

    [Fact]
    public void ManifestUri_DockerHub_UsesTheApiHost()
    {
        Assert.True(ImageReference.TryParse("busybox:1", out var reference, out _));
        Assert.Equal("https://registry-1.docker.io/v2/library/busybox/manifests/1", DigestResolver.ManifestUri(reference).ToString());
    }

    [Fact]
    public void WithDigest_KeepsTheTag()
    {
        Assert.True(ImageReference.TryParse("127.0.0.1:5000/x:1", out var reference, out _));
        Assert.Equal("127.0.0.1:5000/x:1@" + Digest, reference.WithDigest(Digest).ToString());
    }

    [Fact]
    public async Task ResolveAsync_PinnedReference_AsksNoRegistry()
    {
        // Nothing listens on this port: a request would fail, so success shows none was made.
        var image = $"127.0.0.1:{Berth.Testing.FreePort.Loopback()}/x:1@{Digest}";
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync(image, TestContext.Current.CancellationToken);
        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.True(resolution.AlreadyPinned);
        Assert.Equal(Digest, resolution.Digest);
        Assert.Equal(image, resolution.PinnedImage);
    }

    [Fact]
    public async Task ResolveAsync_InvalidReference_IsAFailureNotAnException()
    {
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync("Not Valid", TestContext.Current.CancellationToken);
        Assert.False(resolution.IsResolved);
        Assert.Equal(RegistryFailureKind.InvalidReference, resolution.Failure?.Kind);
        Assert.Contains("'Not Valid'", resolution.Failure?.Message, StringComparison.Ordinal);
    }
}
