namespace Berth.Swarm.Apply;

/// <summary>
/// Where the Docker Engine is and how to talk to it, resolved as the docker CLI does (see
/// <see cref="EngineEndpointResolver"/>). <see cref="Source"/> names what chose it, for error messages.
/// </summary>
internal sealed record EngineEndpoint(Uri Host, string Source, EngineTls? Tls)
{
    public const string DefaultHost = "unix:///var/run/docker.sock";

    /// <summary>The host as the docker CLI prints it (tcp://, unix://), never with the https:// the client uses inside.</summary>
    public string Display => Host.Scheme == "unix" ? "unix://" + Host.AbsolutePath : Host.OriginalString;
}

/// <summary>
/// TLS material: a folder with ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH, or a context's TLS folder).
/// <see cref="Verify"/> false means the server certificate is accepted as is (DOCKER_TLS without
/// DOCKER_TLS_VERIFY, or a context with SkipTLSVerify), as with the docker CLI.
/// </summary>
internal sealed record EngineTls(string CertDirectory, bool Verify)
{
    public string CaFile => Path.Combine(CertDirectory, "ca.pem");

    public string CertFile => Path.Combine(CertDirectory, "cert.pem");

    public string KeyFile => Path.Combine(CertDirectory, "key.pem");
}
