namespace Berth.Kubernetes.Convert.Fidelity;

/// <summary>Fidelity of top-level keys and of each network, volume, secret and config.</summary>
internal static class TopLevelFidelity
{
    public static void Report(ConversionContext context)
    {
        _ = context;
    }
}
