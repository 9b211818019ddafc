using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>Finding credentials in the Docker CLI's config.json, as the CLI finds the file and its entries.</summary>
public sealed class DockerCredentialStoreTests : IDisposable
{
    private const string Secret = "s3cret-do-not-print";

    private readonly string _folder = Directory.CreateTempSubdirectory("berth-docker-config-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lookup_DockerConfigVariable_ReadsAuthsEntry()
    {
        var directory = DockerConfigs.WithAuth(_folder, "127.0.0.1:5000", "alice", Secret);
        var store = new DockerCredentialStore(DockerConfigs.Options(directory));
        var lookup = await store.LookupAsync("127.0.0.1:5000", Ct);
        Assert.Equal(Path.Combine(directory, "config.json"), store.ConfigFile);
        Assert.Equal("alice", lookup.Credentials?.Username);
        Assert.Equal(Secret, lookup.Credentials?.Password);
        Assert.DoesNotContain(Secret, lookup.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, lookup.Credentials!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_WithoutDockerConfigVariable_ReadsHomeDotDocker()
    {
        var home = Path.Combine(_folder, "home");
        var dotDocker = Path.Combine(home, ".docker");
        Directory.CreateDirectory(dotDocker);
        File.Copy(Path.Combine(DockerConfigs.WithAuth(_folder, "reg.example:5000", "bob", Secret), "config.json"), Path.Combine(dotDocker, "config.json"));
        var store = new DockerCredentialStore(new DigestResolverOptions { Environment = name => name == "HOME" ? home : null });
        Assert.Equal(Path.Combine(dotDocker, "config.json"), store.ConfigFile);
        Assert.Equal("bob", (await store.LookupAsync("reg.example:5000", Ct)).Credentials?.Username);
    }

    [Fact]
    public async Task Lookup_ExplicitFile_WinsOverDockerConfig()
    {
        var other = DockerConfigs.WithAuth(_folder, "127.0.0.1:5000", "carol", Secret);
        var ignored = DockerConfigs.WithAuth(_folder, "127.0.0.1:5000", "alice", Secret);
        var store = new DockerCredentialStore(DockerConfigs.Options(ignored) with { DockerConfigFile = Path.Combine(other, "config.json") });
        Assert.Equal("carol", (await store.LookupAsync("127.0.0.1:5000", Ct)).Credentials?.Username);
    }

    [Fact]
    public async Task Lookup_DockerHub_UsesTheIndexKey()
    {
        var directory = DockerConfigs.WithAuth(_folder, "https://index.docker.io/v1/", "dave", Secret);
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("docker.io", Ct);
        Assert.Equal("dave", lookup.Credentials?.Username);
    }

    [Fact]
    public async Task Lookup_KeyWithScheme_MatchesByHost()
    {
        var directory = DockerConfigs.WithAuth(_folder, "http://127.0.0.1:5000", "erin", Secret);
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("127.0.0.1:5000", Ct);
        Assert.Equal("erin", lookup.Credentials?.Username);
    }

    [Fact]
    public async Task Lookup_NoEntry_IsAnonymousAndSaysWhereItLooked()
    {
        var directory = DockerConfigs.WithAuth(_folder, "other:5000", "alice", Secret);
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("127.0.0.1:5000", Ct);
        Assert.Null(lookup.Credentials);
        Assert.Null(lookup.Failure);
        Assert.Contains(Path.Combine(directory, "config.json"), lookup.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_MissingFile_IsAnonymous()
    {
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(Path.Combine(_folder, "absent"))).LookupAsync("127.0.0.1:5000", Ct);
        Assert.Null(lookup.Credentials);
        Assert.Null(lookup.Failure);
        Assert.Contains("does not exist", lookup.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_CredsStore_IsNotSupportedYet()
    {
        var directory = DockerConfigs.Write(_folder, new JsonObject { ["auths"] = new JsonObject { ["127.0.0.1:5000"] = new JsonObject() }, ["credsStore"] = "pass" });
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("127.0.0.1:5000", Ct);
        Assert.Equal(RegistryFailureKind.CredentialsUnavailable, lookup.Failure?.Kind);
        Assert.Contains("docker-credential-pass", lookup.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains("not run yet", lookup.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_CredHelperForHost_IsNotSupportedYet()
    {
        var directory = DockerConfigs.Write(_folder, new JsonObject { ["credHelpers"] = new JsonObject { ["127.0.0.1:5000"] = "ecr-login" } });
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("127.0.0.1:5000", Ct);
        Assert.Equal(RegistryFailureKind.CredentialsUnavailable, lookup.Failure?.Kind);
        Assert.Contains("docker-credential-ecr-login", lookup.Failure?.Message, StringComparison.Ordinal);

        // A helper for another host leaves this one anonymous; Docker Hub's helper is found under its index address.
        var hub = DockerConfigs.Write(_folder, new JsonObject { ["credHelpers"] = new JsonObject { ["https://index.docker.io/v1/"] = "desktop" } });
        var hubLookup = await new DockerCredentialStore(DockerConfigs.Options(hub)).LookupAsync("docker.io", Ct);
        Assert.Contains("docker-credential-desktop", hubLookup.Failure?.Message, StringComparison.Ordinal);
        var other = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("127.0.0.1:6000", Ct);
        Assert.Null(other.Failure);
    }

    [Fact]
    public async Task Lookup_InvalidJson_IsAClearFailure()
    {
        var directory = Path.Combine(_folder, "broken");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), "{ \"auths\": { \"h\": { \"auth\": \"" + Secret + "\" ", Ct);
        var lookup = await new DockerCredentialStore(DockerConfigs.Options(directory)).LookupAsync("h", Ct);
        Assert.Equal(RegistryFailureKind.CredentialsUnavailable, lookup.Failure?.Kind);
        Assert.Contains("cannot read the Docker config", lookup.Failure?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, lookup.Failure?.Message, StringComparison.Ordinal);
    }

    public void Dispose() => TempFolders.DeleteQuietly(_folder);
}
