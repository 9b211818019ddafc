using System.CommandLine;
using Berth.Cli.Orchestration;
using Berth.Kubernetes.Access;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>What a stack verb runs against: the orchestrator, the config file's defaults and, for Kubernetes, how to reach the cluster.</summary>
internal sealed record StackTarget(OrchestratorChoice Choice, BerthConfig Config, KubernetesAccessOptions Access)
{
    public Orchestrator Orchestrator => Choice.Orchestrator;

    /// <summary>The orchestrators the choice covers: one, or both for <c>all</c> (Swarm first).</summary>
    public IReadOnlyList<StackOrchestrator> Orchestrators => Orchestrator switch
    {
        Orchestration.Orchestrator.Kubernetes => [StackOrchestrator.Kubernetes],
        Orchestration.Orchestrator.All => [StackOrchestrator.Swarm, StackOrchestrator.Kubernetes],
        _ => [StackOrchestrator.Swarm],
    };

    /// <summary>The stack service of the (single) chosen orchestrator; connects on its first call.</summary>
    public IStackService Open(Func<string, string?> environment) => Open(Orchestrators[0], environment);

    public IStackService Open(StackOrchestrator orchestrator, Func<string, string?> environment) => StackServices.Open(orchestrator, Access, environment);
}

/// <summary>
/// <c>--orchestrator</c>, the Kubernetes connection flags, and which of a verb's flags belong to one orchestrator only:
/// such a flag given explicitly under the other orchestrator is a usage error, never silently ignored.
/// </summary>
internal sealed class OrchestratorOptions
{
    private readonly List<Option> _swarmOnly = [];
    private readonly List<Option> _kubernetesOnly = [];
    private readonly bool _allowAll;

    public OrchestratorOptions(Command command, bool allowAll = false)
    {
        _allowAll = allowAll;
        Orchestrator = new Option<string?>("--orchestrator")
        {
            Description = $"Orchestrator: swarm or kubernetes{(allowAll ? " or all" : string.Empty)} (default: BERTH_ORCHESTRATOR, DOCKER_STACK_ORCHESTRATOR, the Berth config file, then swarm)",
            HelpName = allowAll ? "swarm|kubernetes|all" : "swarm|kubernetes",
        };
        // Any value parses: the selector names the flag in its error, as it does for the environment and the config file.

        command.Options.Add(Orchestrator);
        Namespace = KubernetesOnly(command, new Option<string?>("--namespace", "-n") { Description = "Kubernetes: namespace (default: the context's, then default)" });
        Kubeconfig = KubernetesOnly(command, new Option<string?>("--kubeconfig") { Description = "Kubernetes: kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)" });
        Context = KubernetesOnly(command, new Option<string?>("--context") { Description = "Kubernetes: kubeconfig context (default: its current-context)" });
    }

    public Option<string?> Orchestrator { get; }

    public Option<string?> Namespace { get; }

    public Option<string?> Kubeconfig { get; }

    public Option<string?> Context { get; }

    /// <summary>Adds a flag that only Swarm understands.</summary>
    public T SwarmOnly<T>(Command command, T option)
        where T : Option
    {
        command.Options.Add(option);
        _swarmOnly.Add(option);
        return option;
    }

    /// <summary>Adds a flag that only Kubernetes understands (allowed with <c>--orchestrator all</c>, which includes Kubernetes).</summary>
    public T KubernetesOnly<T>(Command command, T option)
        where T : Option
    {
        command.Options.Add(option);
        _kubernetesOnly.Add(option);
        return option;
    }

    /// <summary>Selects the orchestrator and checks the flags; on a bad choice or a flag of the other orchestrator prints why and returns null.</summary>
    public StackTarget? Resolve(ParseResult parse, string verb, Func<string, string?> environment)
    {
        var stderr = parse.InvocationConfiguration.Error;
        BerthConfigResult? config = null;
        BerthConfigResult ReadConfig() => config ??= BerthConfigReader.Read(environment);

        var selection = OrchestratorSelector.Select(parse.GetValue(Orchestrator), _allowAll, environment, ReadConfig);
        if (selection.Choice is not { } choice)
        {
            stderr.WriteLine($"berth stack {verb}: {selection.Error}");
            stderr.WriteLine("hint: " + (selection.ErrorSource switch
            {
                "--orchestrator" => "pass --orchestrator swarm or --orchestrator kubernetes",
                OrchestratorSelector.EnvironmentVariable or OrchestratorSelector.LegacyEnvironmentVariable => $"set {selection.ErrorSource} to swarm or kubernetes, unset it, or pass --orchestrator",
                _ => $"fix the config file ({BerthConfigReader.Locate(environment)}) or pass --orchestrator",
            }));
            return null;
        }

        var (foreign, owner, other) = choice.Orchestrator switch
        {
            Orchestration.Orchestrator.Swarm => (_kubernetesOnly, "Kubernetes", "kubernetes"),
            Orchestration.Orchestrator.Kubernetes => (_swarmOnly, "Swarm", "swarm"),
            _ => (_swarmOnly, "Swarm", "swarm"),
        };
        foreach (var option in foreign)
        {
            if (parse.GetResult(option) is { Implicit: false } given)
            {
                var flag = given.IdentifierToken?.Value ?? option.Name;
                stderr.WriteLine($"berth stack {verb}: {flag} is a {owner} flag; the orchestrator is {choice.Name} {choice.Origin}");
                stderr.WriteLine($"hint: drop {flag}, or pass --orchestrator {other}");
                return null;
            }
        }

        if (choice.Orchestrator == Orchestration.Orchestrator.Swarm)
        {
            return new StackTarget(choice, BerthConfig.Empty, new KubernetesAccessOptions());
        }

        // Kubernetes needs the config file's defaults even when the flag or the environment chose it.
        var read = ReadConfig();
        if (read.Error is not null)
        {
            stderr.WriteLine($"berth stack {verb}: {read.Error}");
            stderr.WriteLine("hint: fix the file, or point BERTH_CONFIG at another one");
            return null;
        }

        var defaults = read.Config;
        var access = new KubernetesAccessOptions
        {
            // kubectl's order: --kubeconfig > KUBECONFIG; the config file only fills in when neither is set.
            Kubeconfig = parse.GetValue(Kubeconfig) ?? (string.IsNullOrEmpty(environment("KUBECONFIG")) ? defaults.Kubeconfig : null),
            Context = parse.GetValue(Context) ?? defaults.Context,
            Namespace = parse.GetValue(Namespace) ?? defaults.Namespace,
        };
        return new StackTarget(choice, defaults, access);
    }
}
