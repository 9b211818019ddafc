namespace Berth.Cli.Orchestration;

/// <summary>Where <c>berth stack</c> commands run. <see cref="All"/> is only for <c>stack ls</c>.</summary>
internal enum Orchestrator
{
    Swarm,
    Kubernetes,
    All,
}

/// <summary>The orchestrator chosen and where that came from, e.g. <c>--orchestrator</c>, <c>BERTH_ORCHESTRATOR</c> or a config file path.</summary>
internal sealed record OrchestratorChoice(Orchestrator Orchestrator, string Source)
{
    public const string DefaultSource = "default";

    public string Name => Orchestrator.ToString().ToLowerInvariant();

    /// <summary>For messages: <c>(from BERTH_ORCHESTRATOR)</c> or <c>(the default)</c>.</summary>
    public string Origin => Source == DefaultSource ? "(the default)" : $"(from {Source})";
}
