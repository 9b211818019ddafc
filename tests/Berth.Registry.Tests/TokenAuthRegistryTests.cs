using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A real registry with <c>auth: token</c> and the test's <see cref="TokenServer"/> as its realm (JWTs whose signing
/// certificate chains to the registry's <c>rootcertbundle</c>); the engine pushes through the same token flow.
/// </summary>
public sealed class TokenAuthRegistryFixture : IAsyncLifetime
{
    private RegistryServer? _registry;
    private TokenServer? _tokens;

    public string Folder { get; } = Directory.CreateTempSubdirectory("berth-registry-token-").FullName;

    public RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    public TokenServer Tokens => _tokens ?? throw new InvalidOperationException("not started");

    public RegistryImages Images { get; } = new();

    /// <summary>A DOCKER_CONFIG folder with the token server's user.</summary>
    public string DockerConfig { get; private set; } = "";

    public string PublicDigest { get; private set; } = "";

    public string PrivateDigest { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _tokens = TokenServer.Start(Folder, TimeSpan.FromMinutes(5));
        _registry = await RegistryServer.StartWithAuthAsync(_ => Tokens.RegistryAuthSection, TestContext.Current.CancellationToken);
        DockerConfig = DockerConfigs.WithAuth(Folder, Registry.Host, TokenServer.User, TokenServer.Password);
        PublicDigest = Images.Push(RegistryImages.Busybox, $"{Registry.Host}/public/busybox:1", DockerConfig);
        var unique = Images.CreateUnique("berth-test/registry-token:" + Guid.NewGuid().ToString("N")[..8]);
        PrivateDigest = Images.Push(unique, $"{Registry.Host}/private/app:1", DockerConfig);
    }

    public async ValueTask DisposeAsync()
    {
        Images.RemoveTags();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        TempFolders.DeleteQuietly(Folder);
    }
}

/// <summary>The Bearer token flow against a real registry: anonymous and with credentials, the token reused per scope, refusals named.</summary>
public sealed class TokenAuthRegistryTests(TokenAuthRegistryFixture fixture) : IClassFixture<TokenAuthRegistryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Host => fixture.Registry.Host;

    [Fact]
    public async Task Resolve_PublicRepositoryAnonymously_GetsATokenOnceAndReusesIt()
    {
        const string scope = "repository:public/busybox:pull";
        var empty = Directory.CreateDirectory(Path.Combine(fixture.Folder, "empty-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        using var resolver = new DigestResolver(DockerConfigs.Options(empty));
        var before = fixture.Tokens.Requests(scope);

        var first = await resolver.ResolveAsync($"{Host}/public/busybox:1", Ct);
        var second = await resolver.ResolveAsync($"{Host}/public/busybox", Ct);

        Assert.True(first.IsResolved, first.ToString());
        Assert.Equal(fixture.PublicDigest, first.Digest);

        // Another tag of the same repository: same scope, the cached token; 'latest' was never pushed.
        Assert.Equal(RegistryFailureKind.NotFound, second.Failure?.Kind);
        Assert.Equal(before + 1, fixture.Tokens.Requests(scope));
    }

    [Fact]
    public async Task Resolve_PrivateRepositoryWithCredentials_GetsItsToken()
    {
        const string scope = "repository:private/app:pull";
        using var resolver = new DigestResolver(DockerConfigs.Options(fixture.DockerConfig));
        var before = fixture.Tokens.Requests(scope);

        var resolution = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);
        var again = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);

        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.Equal(fixture.PrivateDigest, resolution.Digest);
        Assert.Equal(fixture.PrivateDigest, again.Digest);
        Assert.Equal(before + 1, fixture.Tokens.Requests(scope));
    }

    [Fact]
    public async Task Resolve_TokensArePerScope()
    {
        using var resolver = new DigestResolver(DockerConfigs.Options(fixture.DockerConfig));
        var publicBefore = fixture.Tokens.Requests("repository:public/busybox:pull");
        var privateBefore = fixture.Tokens.Requests("repository:private/app:pull");

        Assert.Equal(fixture.PublicDigest, (await resolver.ResolveAsync($"{Host}/public/busybox:1", Ct)).Digest);
        Assert.Equal(fixture.PrivateDigest, (await resolver.ResolveAsync($"{Host}/private/app:1", Ct)).Digest);

        Assert.Equal(publicBefore + 1, fixture.Tokens.Requests("repository:public/busybox:pull"));
        Assert.Equal(privateBefore + 1, fixture.Tokens.Requests("repository:private/app:pull"));
    }

    [Fact]
    public async Task Resolve_AfterTheTokenLifetime_AsksForANewToken()
    {
        const string scope = "repository:private/app:pull";
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var resolver = new DigestResolver(DockerConfigs.Options(fixture.DockerConfig) with { Time = clock });
        var before = fixture.Tokens.Requests(scope);

        Assert.Equal(fixture.PrivateDigest, (await resolver.ResolveAsync($"{Host}/private/app:1", Ct)).Digest);
        clock.Advance(fixture.Tokens.Lifetime / 2);
        Assert.Equal(fixture.PrivateDigest, (await resolver.ResolveAsync($"{Host}/private/app:1", Ct)).Digest);
        Assert.Equal(before + 1, fixture.Tokens.Requests(scope));

        // Past expires_in on the resolver's clock (the registry, on the real one, would still take it: the cache decides alone).
        clock.Advance(fixture.Tokens.Lifetime);
        Assert.Equal(fixture.PrivateDigest, (await resolver.ResolveAsync($"{Host}/private/app:1", Ct)).Digest);
        Assert.Equal(before + 2, fixture.Tokens.Requests(scope));
    }

    [Fact]
    public async Task Resolve_TokenTheRegistryRefused_IsNotReused()
    {
        const string scope = "repository:private/app:pull";
        using var resolver = new DigestResolver(DockerConfigs.Options(fixture.DockerConfig));
        var before = fixture.Tokens.Requests(scope);
        fixture.Tokens.Deny("private/app");
        try
        {
            var refused = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);
            Assert.Equal(RegistryFailureKind.Unauthorized, refused.Failure?.Kind);
            Assert.Contains($"registry {Host} refused user '{TokenServer.User}'", refused.Failure?.Message, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Tokens.Allow("private/app");
        }

        // The refused token is gone from the cache: a new one (with access now) is asked for, well within the old one's lifetime.
        var resolution = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);
        Assert.Equal(fixture.PrivateDigest, resolution.Digest);
        Assert.Equal(before + 2, fixture.Tokens.Requests(scope));
    }

    [Fact]
    public async Task Resolve_PrivateRepositoryAnonymously_Is401FromTheRegistry()
    {
        var empty = Directory.CreateDirectory(Path.Combine(fixture.Folder, "empty-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        using var resolver = new DigestResolver(DockerConfigs.Options(empty));

        var resolution = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);

        // The token server hands anonymous users a token without access; the registry then refuses it.
        Assert.Equal(RegistryFailureKind.Unauthorized, resolution.Failure?.Kind);
        Assert.Contains($"registry {Host} refused no credentials (", resolution.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains($"(Bearer token from {fixture.Tokens.Realm})", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_WrongPassword_IsRefusedByTheTokenServerNamingTheUser()
    {
        const string wrong = "wrong-token-password-55c1";
        var config = DockerConfigs.WithAuth(fixture.Folder, Host, TokenServer.User, wrong);
        using var resolver = new DigestResolver(DockerConfigs.Options(config));

        var resolution = await resolver.ResolveAsync($"{Host}/private/app:1", Ct);

        Assert.Equal(RegistryFailureKind.Unauthorized, resolution.Failure?.Kind);
        var message = resolution.Failure!.Message;
        Assert.Contains($"the token server {fixture.Tokens.Realm} of registry {Host} refused user '{TokenServer.User}' from {Path.Combine(config, "config.json")}", message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, message, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenServer.Password, message, StringComparison.Ordinal);
    }
}
