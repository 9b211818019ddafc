using Berth.Cli.Orchestration;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>Where the Berth config file is looked for and how it is read, with an injected environment.</summary>
public sealed class BerthConfigReaderTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Locate_BerthConfig_ThenXdg_ThenHome()
    {
        Assert.Equal("/a/b.json", BerthConfigReader.Locate(Env(("BERTH_CONFIG", "/a/b.json"), ("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal(Path.Combine("/xdg", "berth", "config.json"), BerthConfigReader.Locate(Env(("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal(Path.Combine("/home/u", ".config", "berth", "config.json"), BerthConfigReader.Locate(Env(("HOME", "/home/u"))));
    }

    [Fact]
    public void MissingDefaultFile_IsNoConfig()
    {
        using var home = new TempProject();
        var result = BerthConfigReader.Read(Env(("HOME", home.Directory)));

        Assert.Null(result.Error);
        Assert.Null(result.Config.Orchestrator);
    }

    [Fact]
    public void MissingExplicitFile_IsAnErrorNamingIt()
    {
        var result = BerthConfigReader.Read(Env(("BERTH_CONFIG", "/nonexistent/berth.json")));

        Assert.Contains("/nonexistent/berth.json", result.Error, StringComparison.Ordinal);
        Assert.Contains("BERTH_CONFIG", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsOrchestratorAndKubernetesDefaults_RelativeKubeconfigAgainstTheFile()
    {
        using var home = new TempProject((".config/berth/config.json", """
            {
              // comments are allowed
              "orchestrator": "kubernetes",
              "kubernetes": { "namespace": "shop", "context": "kind-dev", "kubeconfig": "kube/config", "resolveImage": "changed" }
            }
            """));
        var result = BerthConfigReader.Read(Env(("HOME", home.Directory)));

        Assert.Null(result.Error);
        Assert.Equal("kubernetes", result.Config.Orchestrator);
        Assert.Equal("shop", result.Config.Namespace);
        Assert.Equal("kind-dev", result.Config.Context);
        Assert.Equal("changed", result.Config.ResolveImage);
        Assert.Equal(home.PathOf(".config/berth/kube/config"), result.Config.Kubeconfig);
        Assert.Equal(home.PathOf(".config/berth/config.json"), result.Config.Path);
    }

    [Fact]
    public void TildeKubeconfig_IsUnderHome()
    {
        var result = BerthConfigReader.Parse("""{"kubernetes": {"kubeconfig": "~/.kube/other"}}""", "/etc/berth.json", Env(("HOME", "/home/u")));

        Assert.Equal(Path.Combine("/home/u", ".kube/other"), result.Config.Kubeconfig);
    }

    [Theory]
    [InlineData("{\"orchestrator\": ", "not valid JSON")]
    [InlineData("[1]", "must hold a JSON object")]
    [InlineData("{\"orchestrator\": 3}", "\"orchestrator\" must be a string")]
    [InlineData("{\"kubernetes\": \"x\"}", "\"kubernetes\" must be an object")]
    [InlineData("{\"kubernetes\": {\"resolveImage\": \"sometimes\"}}", "\"kubernetes.resolveImage\" must be always, changed or never, not 'sometimes'")]
    public void InvalidContent_IsAnErrorNamingTheFile(string json, string expected)
    {
        var result = BerthConfigReader.Parse(json, "/etc/berth.json", Env());

        Assert.Contains("/etc/berth.json", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}
