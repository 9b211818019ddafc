using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>
/// Whether a service's own Service is headless: when it has no ports to give a ClusterIP (Kubernetes needs
/// ports for one), when <c>endpoint_mode: dnsrr</c> asks for DNS round robin (which is what headless is),
/// or when x-kubernetes/kompose say so.
/// </summary>
internal static class ServiceShape
{
    public static bool IsHeadless(ServiceUnit unit)
    {
        var explicitType = unit.Settings.InternalServiceType?.ToLowerInvariant();
        if (explicitType == "headless" || unit.Settings.ServiceType == "headless")
        {
            return true;
        }

        if (unit.Node.Map("deploy")?.Str("endpoint_mode") == "dnsrr")
        {
            return true;
        }

        return !HasClusterPorts(unit);
    }

    /// <summary>True when ports or expose give at least one port (host-mode ones included: they are reachable by name too).</summary>
    public static bool HasClusterPorts(ServiceUnit unit)
        => unit.Node.Seq("ports") is { Count: > 0 } || unit.Node.Seq("expose") is { Count: > 0 };
}
