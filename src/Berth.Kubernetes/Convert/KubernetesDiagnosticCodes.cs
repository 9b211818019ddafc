namespace Berth.Kubernetes.Convert;

/// <summary>
/// Stable diagnostic codes of the Kubernetes converter. BK0xx: fidelity (a key not mapped exactly);
/// BK1xx: names; BK2xx: invalid values for Kubernetes; BK3xx: missing inputs.
/// </summary>
public static class KubernetesDiagnosticCodes
{
    public const string Approximated = "BK001";
    public const string Unsupported = "BK002";
    public const string Ignored = "BK003";

    public const string NameCollision = "BK101";
    public const string InvalidName = "BK102";

    public const string InvalidValue = "BK201";

    public const string MissingContent = "BK301";
}
