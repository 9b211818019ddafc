using System.Collections.Immutable;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>A file the user uploaded: its name (no folder) and its bytes.</summary>
internal sealed record SubmittedFile(string Name, ImmutableArray<byte> Content);

/// <summary>
/// What the create/update form submits: the stack's name and place, the Compose file, the <c>.env</c> text, override
/// files (merged after the Compose file, in order) and the files that secrets and configs name.
/// </summary>
internal sealed record DeployInput(string Name, StackOrchestrator Orchestrator, string Namespace, string Compose, string Env)
{
    public ImmutableArray<SubmittedFile> Overrides { get; init; } = [];

    public ImmutableArray<SubmittedFile> ResourceFiles { get; init; } = [];

    /// <summary>The name of the Compose file in diagnostics.</summary>
    public const string ComposeFileName = "compose.yaml";

    /// <summary>The name of the <c>.env</c> values in diagnostics.</summary>
    public const string EnvFileName = ".env";

    /// <summary>The pseudo file of the form's own fields (name, orchestrator, namespace) in diagnostics.</summary>
    public const string FormFileName = "form";

    /// <summary>The stack as scope rules see it (the namespace only counts on Kubernetes).</summary>
    public StackSummary Summary => new(Name, 0, Orchestrator, Orchestrator == StackOrchestrator.Kubernetes ? Namespace : string.Empty);

    /// <summary>Swarm or Kubernetes from the form's value; null when it is neither.</summary>
    public static StackOrchestrator? ParseOrchestrator(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "swarm" => StackOrchestrator.Swarm,
        "kubernetes" => StackOrchestrator.Kubernetes,
        _ => null,
    };

    public static string Slug(StackOrchestrator orchestrator) => orchestrator == StackOrchestrator.Kubernetes ? "kubernetes" : "swarm";

    /// <summary>The stack's path under /stacks: orchestrator, namespace or "_" (Swarm has none), name.</summary>
    public static string PathOf(StackOrchestrator orchestrator, string ns, string name) =>
        $"/stacks/{Slug(orchestrator)}/{(orchestrator == StackOrchestrator.Kubernetes && ns.Length > 0 ? Uri.EscapeDataString(ns) : "_")}/{Uri.EscapeDataString(name)}";

    public string StackPath => PathOf(Orchestrator, Namespace, Name);
}

/// <summary>One problem, where it is: the submitted file's name, line and column (1-based; 0 when not known).</summary>
internal sealed record DeployDiagnostic(string File, int Line, int Column, string Severity, string Code, string Message, string? Hint);
