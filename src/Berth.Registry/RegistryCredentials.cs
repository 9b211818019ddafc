namespace Berth.Registry;

/// <summary>A user name and password for one registry, and where they came from (for messages: the password never is).</summary>
internal sealed record RegistryCredentials(string Username, string Password, string Source)
{
    /// <summary>What a message may say about them: the user and the file, never the password.</summary>
    public string Description => $"user '{Username}' from {Source}";

    public override string ToString() => Description;
}

/// <summary>What the Docker config holds for one registry: credentials, none (anonymous), or a failure to say.</summary>
internal sealed record CredentialLookup(RegistryCredentials? Credentials, string AnonymousReason, RegistryFailure? Failure)
{
    /// <summary>The credentials tried, as a message says it.</summary>
    public string Description => Credentials?.Description ?? "no credentials (" + AnonymousReason + ")";
}
