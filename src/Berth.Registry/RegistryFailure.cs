namespace Berth.Registry;

/// <summary>Why a digest could not be resolved.</summary>
public enum RegistryFailureKind
{
    /// <summary>The image reference is not one docker would accept.</summary>
    InvalidReference,

    /// <summary>Nothing answered: connection refused, unknown host, TLS failure.</summary>
    Unreachable,

    /// <summary>The registry (or its token server) did not answer within the resolver's timeout.</summary>
    Timeout,

    /// <summary>The registry refused the credentials tried (or wanted credentials and there were none).</summary>
    Unauthorized,

    /// <summary>The registry has no manifest for the tag (or no such repository).</summary>
    NotFound,

    /// <summary>The credentials are kept where Berth cannot read them yet (a credential helper), or the Docker config file is unreadable.</summary>
    CredentialsUnavailable,

    /// <summary>The registry answered something the distribution API does not describe.</summary>
    UnexpectedResponse,
}

/// <summary>A failed resolution: its kind and a message for users (what, where, a hint; never a secret).</summary>
public sealed record RegistryFailure(RegistryFailureKind Kind, string Message)
{
    public override string ToString() => Message;
}
