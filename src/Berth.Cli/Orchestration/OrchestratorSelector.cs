namespace Berth.Cli.Orchestration;

/// <summary>The choice, or a one-line error naming where the bad value came from.</summary>
internal sealed record OrchestratorSelection(OrchestratorChoice? Choice, string? Error)
{
    /// <summary>Where the rejected value came from (for the hint), null when there is no error.</summary>
    public string? ErrorSource { get; init; }
}

/// <summary>
/// Picks the orchestrator: <c>--orchestrator</c> &gt; <c>BERTH_ORCHESTRATOR</c> &gt; <c>DOCKER_STACK_ORCHESTRATOR</c>
/// (docker's variable) &gt; the Berth config file &gt; swarm. Pure: the environment and the config come in as functions.
/// </summary>
internal static class OrchestratorSelector
{
    public const string EnvironmentVariable = "BERTH_ORCHESTRATOR";
    public const string LegacyEnvironmentVariable = "DOCKER_STACK_ORCHESTRATOR";

    /// <param name="flag">The <c>--orchestrator</c> value, null when not given.</param>
    /// <param name="allowAll">Only <c>stack ls</c> accepts <c>all</c>.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="readConfig">Reads the config file; called only when neither the flag nor the environment decide.</param>
    public static OrchestratorSelection Select(string? flag, bool allowAll, Func<string, string?> environment, Func<BerthConfigResult> readConfig)
    {
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return Parse(flag, "--orchestrator", allowAll);
        }

        foreach (var variable in new[] { EnvironmentVariable, LegacyEnvironmentVariable })
        {
            if (environment(variable) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return Parse(value, variable, allowAll);
            }
        }

        var config = readConfig();
        if (config.Error is not null)
        {
            return new OrchestratorSelection(null, config.Error) { ErrorSource = "config" };
        }

        return config.Config.Orchestrator is { } configured
            ? Parse(configured, config.Config.Path ?? "the config file", allowAll)
            : new OrchestratorSelection(new OrchestratorChoice(Orchestrator.Swarm, OrchestratorChoice.DefaultSource), null);
    }

    private static OrchestratorSelection Parse(string value, string source, bool allowAll)
    {
        var orchestrator = value.Trim().ToLowerInvariant() switch
        {
            "swarm" => Orchestrator.Swarm,
            "kubernetes" => Orchestrator.Kubernetes,
            "all" => Orchestrator.All,
            _ => (Orchestrator?)null,
        };
        if (orchestrator is null)
        {
            return new OrchestratorSelection(null, $"invalid orchestrator '{value.Trim()}' (from {source}): use swarm or kubernetes{(allowAll ? " (or all)" : string.Empty)}") { ErrorSource = source };
        }

        if (orchestrator == Orchestrator.All && !allowAll)
        {
            return new OrchestratorSelection(null, $"orchestrator 'all' (from {source}) is only for 'berth stack ls': use swarm or kubernetes") { ErrorSource = source };
        }

        return new OrchestratorSelection(new OrchestratorChoice(orchestrator.Value, source), null);
    }
}
