namespace Berth.Kubernetes.Convert;

/// <summary>What became of one Compose key.</summary>
public enum FidelityOutcome
{
    /// <summary>Converted with the same meaning.</summary>
    Mapped,

    /// <summary>Converted to the nearest Kubernetes equivalent; the detail says how it differs.</summary>
    Approximated,

    /// <summary>Kubernetes cannot express it; the detail says why.</summary>
    Unsupported,

    /// <summary>Has no meaning on Kubernetes (build, develop, ...); the detail says why.</summary>
    Ignored,
}
