namespace Berth.Compose.Diagnostics;

/// <summary>
/// The warning (BC407) for the top-level <c>version</c> key. It must not tell users to remove the key: the
/// docker CLI 20.10's <c>docker stack deploy</c> refuses a file without it.
/// </summary>
public static class VersionKeyWarning
{
    public const string Message = "the attribute 'version' is ignored by Berth and docker compose";

    public const string Hint = "the docker CLI 20.10's 'docker stack deploy' still needs it: keep it if you deploy with that, otherwise it can be removed";
}
