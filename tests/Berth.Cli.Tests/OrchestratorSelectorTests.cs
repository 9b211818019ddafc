using Berth.Cli.Orchestration;

namespace Berth.Cli.Tests;

/// <summary>The selection order, pure: flag &gt; BERTH_ORCHESTRATOR &gt; DOCKER_STACK_ORCHESTRATOR &gt; config file &gt; swarm.</summary>
public sealed class OrchestratorSelectorTests
{
    private static readonly BerthConfigResult s_kubernetesConfig = BerthConfigResult.Ok(new BerthConfig { Path = "/etc/berth.json", Orchestrator = "kubernetes" });

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Flag_WinsOverEverything()
    {
        var selection = OrchestratorSelector.Select("swarm", false, Env(("BERTH_ORCHESTRATOR", "kubernetes"), ("DOCKER_STACK_ORCHESTRATOR", "kubernetes")), () => s_kubernetesConfig);

        Assert.Equal(new OrchestratorChoice(Orchestrator.Swarm, "--orchestrator"), selection.Choice);
    }

    [Fact]
    public void Flag_DoesNotReadTheConfigFile()
    {
        var selection = OrchestratorSelector.Select("kubernetes", false, Env(), () => throw new InvalidOperationException("config read"));

        Assert.Equal(Orchestrator.Kubernetes, selection.Choice!.Orchestrator);
    }

    [Fact]
    public void BerthVariable_WinsOverLegacyVariableAndConfig()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(("BERTH_ORCHESTRATOR", "Kubernetes"), ("DOCKER_STACK_ORCHESTRATOR", "swarm")), () => BerthConfigResult.Ok(BerthConfig.Empty));

        Assert.Equal(new OrchestratorChoice(Orchestrator.Kubernetes, "BERTH_ORCHESTRATOR"), selection.Choice);
    }

    [Fact]
    public void LegacyVariable_WinsOverConfig()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(("DOCKER_STACK_ORCHESTRATOR", "swarm")), () => s_kubernetesConfig);

        Assert.Equal(new OrchestratorChoice(Orchestrator.Swarm, "DOCKER_STACK_ORCHESTRATOR"), selection.Choice);
    }

    [Fact]
    public void EmptyVariables_AreIgnored()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(("BERTH_ORCHESTRATOR", " "), ("DOCKER_STACK_ORCHESTRATOR", string.Empty)), () => s_kubernetesConfig);

        Assert.Equal(new OrchestratorChoice(Orchestrator.Kubernetes, "/etc/berth.json"), selection.Choice);
    }

    [Fact]
    public void NothingSet_IsSwarmByDefault()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(), () => BerthConfigResult.Ok(BerthConfig.Empty));

        Assert.Equal(Orchestrator.Swarm, selection.Choice!.Orchestrator);
        Assert.Equal("(the default)", selection.Choice.Origin);
    }

    [Theory]
    [InlineData("BERTH_ORCHESTRATOR")]
    [InlineData("DOCKER_STACK_ORCHESTRATOR")]
    public void InvalidVariable_NamesTheVariable(string variable)
    {
        var selection = OrchestratorSelector.Select(null, false, Env((variable, "nomad")), () => BerthConfigResult.Ok(BerthConfig.Empty));

        Assert.Null(selection.Choice);
        Assert.Contains($"'nomad' (from {variable})", selection.Error, StringComparison.Ordinal);
        Assert.Equal(variable, selection.ErrorSource);
    }

    [Fact]
    public void InvalidConfigValue_NamesTheFile()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(), () => BerthConfigResult.Ok(new BerthConfig { Path = "/home/u/.config/berth/config.json", Orchestrator = "k8s" }));

        Assert.Null(selection.Choice);
        Assert.Contains("'k8s' (from /home/u/.config/berth/config.json)", selection.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenConfig_IsReportedWhenItDecides()
    {
        var selection = OrchestratorSelector.Select(null, false, Env(), () => BerthConfigResult.Failed("the config file /x is not valid JSON"));

        Assert.Null(selection.Choice);
        Assert.Equal("the config file /x is not valid JSON", selection.Error);
    }

    [Fact]
    public void All_OnlyWhenAllowed()
    {
        var refused = OrchestratorSelector.Select("all", false, Env(), () => BerthConfigResult.Ok(BerthConfig.Empty));
        var accepted = OrchestratorSelector.Select(null, true, Env(("BERTH_ORCHESTRATOR", "all")), () => BerthConfigResult.Ok(BerthConfig.Empty));

        Assert.Null(refused.Choice);
        Assert.Contains("only for 'berth stack ls'", refused.Error, StringComparison.Ordinal);
        Assert.Equal(Orchestrator.All, accepted.Choice!.Orchestrator);
    }
}
