using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// Digests from a real registry (docker-registry on 127.0.0.1, no auth) that the real engine pushed to: the resolver
/// must find exactly the digest <c>docker push</c> printed and <c>docker inspect</c> records.
/// </summary>
public sealed class AnonymousRegistryTests(AnonymousRegistryFixture fixture) : IClassFixture<AnonymousRegistryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Host => fixture.Registry.Host;

    [Fact]
    public async Task Resolve_PushedTag_IsTheDigestDockerPushPrinted()
    {
        var target = $"{Host}/anon/busybox:1";
        var pushed = fixture.Images.Push(RegistryImages.Busybox, target);
        Assert.Equal(pushed, RegistryImages.RepoDigest(target));

        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync(target, Ct);

        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.False(resolution.AlreadyPinned);
        Assert.Equal(pushed, resolution.Digest);
        Assert.Equal($"{Host}/anon/busybox:1@{pushed}", resolution.Pinned?.ToString());
        Assert.Equal($"{target}@{pushed}", resolution.PinnedImage);
    }

    [Fact]
    public async Task Resolve_LocalhostName_ReachesTheSameRegistryOverHttp()
    {
        var pushed = fixture.Images.Push(RegistryImages.Busybox, $"{Host}/anon/by-name:1");
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync($"localhost:{fixture.Registry.Port}/anon/by-name:1", Ct);
        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.Equal(pushed, resolution.Digest);
    }

    [Fact]
    public async Task Resolve_TagMovedToANewImage_IsTheNewDigest()
    {
        var target = $"{Host}/anon/moving:1";
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var first = fixture.Images.Push(RegistryImages.Busybox, target);
        var before = await resolver.ResolveAsync(target, Ct);
        Assert.Equal(first, before.Digest);

        var unique = fixture.Images.CreateUnique("berth-test/registry-moved:" + Guid.NewGuid().ToString("N")[..8]);
        var second = fixture.Images.Push(unique, target);
        Assert.NotEqual(first, second);

        var after = await resolver.ResolveAsync(target, Ct);
        Assert.True(after.IsResolved, after.ToString());
        Assert.Equal(second, after.Digest);
    }

    [Fact]
    public async Task Resolve_WithoutDigestHeader_HashesTheManifestItself()
    {
        var pushed = fixture.Images.Push(RegistryImages.Busybox, $"{Host}/anon/no-header:1");
        await using var proxy = DigestHidingProxy.Start(Host);
        using var resolver = new DigestResolver(DockerConfigs.Options(null));

        var resolution = await resolver.ResolveAsync($"{proxy.Host}/anon/no-header:1", Ct);

        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.Equal(pushed, resolution.Digest);
        Assert.Equal(1, proxy.Requests("HEAD"));
        Assert.Equal(1, proxy.Requests("GET"));
    }

    [Fact]
    public async Task Resolve_UnknownTag_IsNotFoundNamingTheTag()
    {
        fixture.Images.Push(RegistryImages.Busybox, $"{Host}/anon/known:1");
        using var resolver = new DigestResolver(DockerConfigs.Options(null));

        var resolution = await resolver.ResolveAsync($"{Host}/anon/known:no-such-tag", Ct);

        Assert.False(resolution.IsResolved);
        Assert.Equal(RegistryFailureKind.NotFound, resolution.Failure?.Kind);
        Assert.Contains($"registry {Host} has no manifest for anon/known:no-such-tag", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_UnknownRepository_IsNotFound()
    {
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync($"{Host}/anon/never-pushed", Ct);
        Assert.Equal(RegistryFailureKind.NotFound, resolution.Failure?.Kind);
        Assert.Contains("anon/never-pushed:latest", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ManyImagesAtOnce_EachGetsItsDigest()
    {
        var first = fixture.Images.Push(RegistryImages.Busybox, $"{Host}/anon/many-a:1");
        var unique = fixture.Images.CreateUnique("berth-test/registry-many:" + Guid.NewGuid().ToString("N")[..8]);
        var second = fixture.Images.Push(unique, $"{Host}/anon/many-b:1");
        using var resolver = new DigestResolver(DockerConfigs.Options(null));

        var resolutions = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => resolver.ResolveAsync($"{Host}/anon/many-{(i % 2 == 0 ? 'a' : 'b')}:1", Ct)));

        Assert.All(resolutions, r => Assert.Equal(r.Image.Contains("many-a", StringComparison.Ordinal) ? first : second, r.Digest));
    }
}
