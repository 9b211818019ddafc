namespace Berth.Swarm.Convert;

/// <summary>Stable codes of the Swarm converter's diagnostics (BS = Berth Swarm).</summary>
public static class SwarmDiagnosticCodes
{
    /// <summary>A key Swarm cannot honour; it is ignored.</summary>
    public const string Unsupported = "BS001";

    /// <summary>A key Swarm honours only in part (e.g. a host IP on a published port).</summary>
    public const string Approximated = "BS002";

    /// <summary>A key Swarm does not need (e.g. depends_on, expose); ignored with a note.</summary>
    public const string Ignored = "BS003";

    /// <summary>A value the engine would refuse.</summary>
    public const string InvalidValue = "BS010";

    /// <summary>A service without an image: Swarm cannot build.</summary>
    public const string NoImage = "BS011";

    /// <summary>A secret or config whose content could not be read.</summary>
    public const string MissingContent = "BS012";

    /// <summary>A reference to a network, volume, secret or config the project does not declare.</summary>
    public const string UndefinedReference = "BS013";
}
