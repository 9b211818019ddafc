namespace Berth.Swarm;

/// <summary>
/// Labels Berth adds on Swarm objects beside the <c>com.docker.stack.*</c> ones <c>docker stack</c> uses.
/// They never carry secret values: only names and hashes.
/// </summary>
public static class SwarmLabels
{
    /// <summary>The image as written in the Compose file (service labels only), as <c>docker stack deploy</c> sets it.</summary>
    public const string StackImage = "com.docker.stack.image";

    /// <summary>
    /// Hash of the service spec Berth last wrote. A redeploy compares it instead of the engine's normalised spec,
    /// which differs from what was sent (defaults filled in, names turned into IDs).
    /// </summary>
    public const string SpecHash = "io.berth.spec-hash";

    /// <summary>
    /// The Compose-level name of a content-addressed secret or config (<c>&lt;stack&gt;_&lt;key&gt;</c>), so
    /// versions that no service uses any more can be found and removed.
    /// </summary>
    public const string ResourceName = "io.berth.resource";
}
