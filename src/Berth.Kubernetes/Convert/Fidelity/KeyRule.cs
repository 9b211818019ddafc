namespace Berth.Kubernetes.Convert.Fidelity;

/// <summary>The default fidelity of a Compose key: what it becomes when no handler reported something more specific.</summary>
internal sealed record KeyRule(FidelityOutcome Outcome, string Detail);
