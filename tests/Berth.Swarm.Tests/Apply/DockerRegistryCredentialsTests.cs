using System.Text;
using Berth.Swarm.Apply;

namespace Berth.Swarm.Tests.Apply;

/// <summary><c>--with-registry-auth</c>: which config.json entry an image's registry gets; no engine or registry involved.</summary>
public sealed class DockerRegistryCredentialsTests
{
    private static string Basic(string userPassword) => System.Convert.ToBase64String(Encoding.UTF8.GetBytes(userPassword));

    [Theory]
    [InlineData("nginx", "docker.io")]
    [InlineData("library/nginx:1.27", "docker.io")]
    [InlineData("user/app@sha256:abc", "docker.io")]
    [InlineData("registry.example.com/team/app:1", "registry.example.com")]
    [InlineData("localhost:5000/app", "localhost:5000")]
    [InlineData("localhost/app", "localhost")]
    [InlineData("index.docker.io/library/nginx", "docker.io")]
    public void RegistryOf_FollowsDockerReferenceRules(string image, string registry)
        => Assert.Equal(registry, DockerRegistryCredentials.RegistryOf(image));

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("registry.example.com", "registry.example.com")]
    [InlineData("http://localhost:5000", "localhost:5000")]
    [InlineData("https://Registry.Example.com/v2/", "registry.example.com")]
    public void RegistryOfKey_NormalisesConfigKeys(string key, string registry)
        => Assert.Equal(registry, DockerRegistryCredentials.RegistryOfKey(key));

    [Fact]
    public void BasicAuth_IsSplitIntoUserAndPassword_ForTheImagesRegistry()
    {
        var json = "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" + Basic("hub-user:p:a:ss") + "\"}, \"registry.example.com\": {\"auth\": \"" + Basic("corp:secret") + "\"}}}";
        var credentials = DockerRegistryCredentials.Parse(json, _ => { });

        var hub = credentials.For("nginx:1.27");
        var corp = credentials.For("registry.example.com/team/app:1");

        Assert.Equal(("hub-user", "p:a:ss", "https://index.docker.io/v1/"), (hub!.Username, hub.Password, hub.ServerAddress));
        Assert.Equal(("corp", "secret"), (corp!.Username, corp.Password));
        Assert.Null(credentials.For("quay.io/other/app"));
    }

    [Fact]
    public void IdentityToken_IsSentInsteadOfAPassword()
    {
        var credentials = DockerRegistryCredentials.Parse("""{"auths": {"myregistry.azurecr.io": {"auth": "", "identitytoken": "tok"}}}""", _ => { });

        var auth = credentials.For("myregistry.azurecr.io/app");

        Assert.Equal("tok", auth!.IdentityToken);
        Assert.Null(auth.Password);
    }

    [Fact]
    public void CredentialHelper_WarnsOncePerRegistry_WithoutSecrets()
    {
        var warnings = new List<string>();
        var credentials = DockerRegistryCredentials.Parse("""{"auths": {"ghcr.io": {}}, "credHelpers": {"ghcr.io": "gh"}}""", warnings.Add);

        Assert.Null(credentials.For("ghcr.io/org/a"));
        Assert.Null(credentials.For("ghcr.io/org/b"));

        var warning = Assert.Single(warnings);
        Assert.Contains("ghcr.io", warning, StringComparison.Ordinal);
        Assert.Contains("credential helper", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJson_WarnsAndSendsNothing()
    {
        var warnings = new List<string>();
        var credentials = DockerRegistryCredentials.Parse("{", warnings.Add);

        Assert.Null(credentials.For("nginx"));
        Assert.Single(warnings);
    }

    [Fact]
    public void Load_ReadsDockerConfigFolder_FromTheInjectedEnvironment()
    {
        var folder = Directory.CreateTempSubdirectory("berth-docker-config-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "config.json"), "{\"auths\": {\"localhost:5000\": {\"auth\": \"" + Basic("u:p") + "\"}}}");
            var credentials = DockerRegistryCredentials.Load(name => name == "DOCKER_CONFIG" ? folder.FullName : null, _ => { });

            Assert.Equal("u", credentials.For("localhost:5000/app:1")!.Username);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
