namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>A justified, expected difference from kompose. "*" matches any fixture or service.</summary>
internal sealed record KomposeDisagreement(string Case, string Service, string Aspect, string Justification)
{
    public bool Matches(Disagreement d)
        => (Case == "*" || Case == d.Case) && (Service == "*" || Service == d.Service) && Aspect == d.Aspect;

    public override string ToString() => $"[{Case}] {Service} {Aspect}: {Justification}";
}

/// <summary>
/// Every way Berth's output means something different from kompose's on kompose's fixtures, and why. Kept small by
/// wildcards for systematic choices; fixture-specific entries otherwise.
/// </summary>
internal static class KomposeDisagreements
{
    public static readonly KomposeDisagreement[] All =
    [
        new("*", "*", "(load)",
            "kompose (compose-go without consistency checks) converts a service mounting a named volume that the file never declares; " +
            "the Compose specification requires named volumes to be declared under top-level `volumes`, and Berth's loader rejects the file (BC401) " +
            "instead of guessing a PVC for a typo."),
    ];

    public static KomposeDisagreement? Find(Disagreement d) => All.FirstOrDefault(e => e.Matches(d));
}
