using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>A real registry with <c>auth: htpasswd</c> (bcrypt entries written by <c>htpasswd -B</c>), the image pushed by the engine with the same Docker config the resolver reads.</summary>
public sealed class BasicAuthRegistryFixture : IAsyncLifetime
{
    public const string User = "registry-user";
    public const string Password = "basic-secret-71ad";

    private RegistryServer? _registry;

    public string Folder { get; } = Directory.CreateTempSubdirectory("berth-registry-basic-").FullName;

    public RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    public RegistryImages Images { get; } = new();

    /// <summary>A DOCKER_CONFIG folder with the right credentials for the registry.</summary>
    public string DockerConfig { get; private set; } = "";

    /// <summary>What docker push printed for <c>{host}/private/busybox:1</c>.</summary>
    public string PushedDigest { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var htpasswd = Path.Combine(Folder, "htpasswd");
        var created = ToolProcess.Run("htpasswd", ["-B", "-b", "-c", htpasswd, User, Password]);
        Assert.True(created.ExitCode == 0, $"htpasswd (apache2-utils, scripts/setup-registry.sh) failed:\n{created}");
        _registry = await RegistryServer.StartHtpasswdAsync(htpasswd, TestContext.Current.CancellationToken);
        DockerConfig = DockerConfigs.WithAuth(Folder, Registry.Host, User, Password);
        PushedDigest = Images.Push(RegistryImages.Busybox, $"{Registry.Host}/private/busybox:1", DockerConfig);
    }

    public async ValueTask DisposeAsync()
    {
        Images.RemoveTags();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        TempFolders.DeleteQuietly(Folder);
    }
}

/// <summary>Basic auth against a real registry: credentials from a temp DOCKER_CONFIG; wrong or no credentials give a 401 result naming what was tried, never the secret.</summary>
public sealed class BasicAuthRegistryTests(BasicAuthRegistryFixture fixture) : IClassFixture<BasicAuthRegistryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Image => $"{fixture.Registry.Host}/private/busybox:1";

    [Fact]
    public async Task Resolve_CredentialsFromDockerConfig_IsThePushedDigest()
    {
        using var resolver = new DigestResolver(DockerConfigs.Options(fixture.DockerConfig));
        var resolution = await resolver.ResolveAsync(Image, Ct);
        Assert.True(resolution.IsResolved, resolution.ToString());
        Assert.Equal(fixture.PushedDigest, resolution.Digest);

        // Again on the same resolver: the credentials go with the first request now, and the answer is the same.
        Assert.Equal(fixture.PushedDigest, (await resolver.ResolveAsync(Image, Ct)).Digest);
    }

    [Fact]
    public async Task Resolve_WrongPassword_Is401NamingTheUserAndFile()
    {
        const string wrong = "not-the-password-3b9e";
        var config = DockerConfigs.WithAuth(fixture.Folder, fixture.Registry.Host, BasicAuthRegistryFixture.User, wrong);
        using var resolver = new DigestResolver(DockerConfigs.Options(config));

        var resolution = await resolver.ResolveAsync(Image, Ct);

        Assert.Equal(RegistryFailureKind.Unauthorized, resolution.Failure?.Kind);
        var message = resolution.Failure!.Message;
        Assert.Contains($"registry {fixture.Registry.Host} refused user '{BasicAuthRegistryFixture.User}' from {Path.Combine(config, "config.json")} (Basic auth)", message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, message, StringComparison.Ordinal);
        Assert.DoesNotContain(BasicAuthRegistryFixture.Password, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_NoCredentials_Is401SayingNoneWereFound()
    {
        var empty = Directory.CreateDirectory(Path.Combine(fixture.Folder, "empty-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        using var resolver = new DigestResolver(DockerConfigs.Options(empty));

        var resolution = await resolver.ResolveAsync(Image, Ct);

        Assert.Equal(RegistryFailureKind.Unauthorized, resolution.Failure?.Kind);
        Assert.Contains($"registry {fixture.Registry.Host} requires a user name and password (Basic auth)", resolution.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(empty, "config.json")} does not exist", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_CredentialHelper_IsNotSupportedYet()
    {
        var config = DockerConfigs.Write(fixture.Folder, new JsonObject { ["credHelpers"] = new JsonObject { [fixture.Registry.Host] = "berth-test" } });
        using var resolver = new DigestResolver(DockerConfigs.Options(config));

        var resolution = await resolver.ResolveAsync(Image, Ct);

        Assert.Equal(RegistryFailureKind.CredentialsUnavailable, resolution.Failure?.Kind);
        Assert.Contains("docker-credential-berth-test", resolution.Failure?.Message, StringComparison.Ordinal);
    }
}
