using Berth.Compose.Diagnostics;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// One line of the fidelity report: what a Compose key became. <paramref name="Service"/> is empty for
/// top-level keys; <paramref name="Key"/> is a dotted path under the service (<c>deploy.update_config.delay</c>)
/// or under the top level (<c>volumes.data</c>).
/// </summary>
public sealed record FidelityEntry(string Service, string Key, FidelityOutcome Outcome, string Detail, SourceLocation Location);
