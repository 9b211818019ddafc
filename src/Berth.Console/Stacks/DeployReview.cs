using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Events;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// What the review step shows before a deploy: the deploy policy's verdict (the console's <c>--policy</c> and, on
/// Kubernetes, the namespace's Pod Security labels), the conversion's notes for the chosen orchestrator, the fidelity
/// report (Kubernetes: what is mapped, approximated or dropped, as <c>berth convert --explain</c>), and the changes
/// against what runs (<c>berth stack diff</c>, IStackService.PlanAsync). <see cref="Problem"/>: the orchestrator could not be read.
/// </summary>
internal sealed record DeployReviewResult(ImmutableArray<Diagnostic> Notes, ImmutableArray<FidelityEntry> Fidelity, StackPlanResult? Plan, string? Problem)
{
    /// <summary>The policy's verdict; null when no policy applied. Denied: nothing was planned.</summary>
    public StackPolicyChecked? Policy => Plan?.PolicyCheck;

    public bool Deployable => Problem is null && Plan is { Invalid: false, PolicyDenied: false } && !Notes.Any(n => n.Severity == Severity.Error);
}

/// <summary>One policy violation as the console shows it: the file by its submitted name (never the scratch folder's path).</summary>
internal sealed record PolicyViolationView(string Severity, string Code, string File, int Line, int Column, string Message, string? Hint)
{
    public static ImmutableArray<PolicyViolationView> Of(StackPolicyChecked verdict) =>
        [.. verdict.Violations.Select(v => new PolicyViolationView(
            v.Severity.ToString().ToLowerInvariant(),
            v.Code,
            v.Location.IsKnown ? Path.GetFileName(v.Location.File) : string.Empty,
            v.Location.Line,
            v.Location.Column,
            v.Message,
            v.Hint))];

    /// <summary>The compiler-style line of a refusal's detail: <c>compose.yaml:4:5: error BP201: message (hint: …)</c>.</summary>
    public override string ToString()
        => $"{(File.Length > 0 ? $"{File}:{Line}:{Column}: " : string.Empty)}{Severity} {Code}: {Message}{(Hint is null ? string.Empty : $" (hint: {Hint})")}";
}

internal sealed class DeployReview(DeployTargets targets)
{
    public async Task<DeployReviewResult> ReviewAsync(DeployInput input, DeployLoad load, CancellationToken cancellationToken)
    {
        var project = load.Project ?? throw new InvalidOperationException("only a valid submission is reviewed");
        var fidelity = input.Orchestrator == StackOrchestrator.Kubernetes
            ? KubernetesConverter.Convert(project, new KubernetesConvertOptions { Namespace = input.Namespace.Length > 0 ? input.Namespace : "default", StackName = input.Name, FileContents = load.ResourceContents }).Fidelity
            : [];
        var notes = ImmutableArray.CreateBuilder<Diagnostic>();
        var sink = StackEventSink.From(e =>
        {
            if (e is StackConverted converted)
            {
                notes.AddRange(converted.Diagnostics);
            }
            else if (e is StackWarning warning)
            {
                // E.g. a namespace whose Pod Security labels could not be read.
                notes.Add(new Diagnostic("warning", Severity.Warning, warning.Message, SourceLocation.None));
            }
        });
        try
        {
            using var lease = targets.Open(input.Orchestrator, input.Namespace);
            var plan = await lease.Service.PlanAsync(Request(input, load, targets), sink, cancellationToken).ConfigureAwait(false);
            return new DeployReviewResult(notes.ToImmutable(), fidelity, plan, null);
        }
        catch (Exception e) when (e is StackOrchestratorException or StackInputException or HttpRequestException or IOException or TimeoutException)
        {
            return new DeployReviewResult(notes.ToImmutable(), fidelity, null, e.Message);
        }
    }

    /// <summary>
    /// The policy's verdict on the submission now, for the deploy endpoint (what the review showed is not trusted):
    /// the plan's check, which reads the namespace's labels on Kubernetes and writes nothing. Null when no policy
    /// applies, or the orchestrator could not be read (the deploy job then reports that, and checks again before writing).
    /// </summary>
    public async Task<StackPolicyChecked?> CheckPolicyAsync(DeployInput input, DeployLoad load, CancellationToken cancellationToken)
    {
        if (targets.Policy is null && input.Orchestrator != StackOrchestrator.Kubernetes)
        {
            return null;
        }

        try
        {
            using var lease = targets.Open(input.Orchestrator, input.Namespace);
            var plan = await lease.Service.PlanAsync(Request(input, load, targets), StackEventSink.None, cancellationToken).ConfigureAwait(false);
            return plan.PolicyCheck;
        }
        catch (Exception e) when (e is StackOrchestratorException or StackInputException or HttpRequestException or IOException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// The deploy the console makes: the CLI's defaults (prune off, wait for convergence), with the submitted files'
    /// contents, held to the console's policy and the namespace's Pod Security labels.
    /// </summary>
    public static StackDeployRequest Request(DeployInput input, DeployLoad load, DeployTargets targets) =>
        new(input.Name, load.Project ?? throw new InvalidOperationException("only a valid submission is deployed"))
        {
            ResolveImage = targets.ResolveImage,
            ResourceContents = load.ResourceContents,
            Timeout = DeployJobs.DeployTimeout,
            Stability = DeployJobs.Stability,
            Policy = targets.Policy,
            NamespacePodSecurity = true,
        };
}
