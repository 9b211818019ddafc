using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Swarm.Apply;

/// <summary>
/// Builds the client's TLS credentials from an <see cref="EngineTls"/> folder (cert.pem with key.pem, and ca.pem),
/// and checks the server certificate as the docker CLI does with DOCKER_TLS_VERIFY: chained to ca.pem (not the
/// system store) and issued for the host dialled.
/// </summary>
internal sealed class EngineTlsCredentials
{
    private readonly EngineTls _tls;
    private readonly X509Certificate2? _ca;

    private EngineTlsCredentials(EngineTls tls, X509Certificate2 certificate, X509Certificate2? ca)
    {
        _tls = tls;
        Certificate = certificate;
        _ca = ca;
    }

    /// <summary>Why the last server certificate was refused, for the error message (the handshake exception only says "rejected").</summary>
    public string? RejectionReason { get; private set; }

    /// <summary>The client certificate (cert.pem with key.pem) offered in the handshake.</summary>
    public X509Certificate2 Certificate { get; }

    public static EngineTlsCredentials Load(EngineTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        foreach (var file in new[] { tls.CertFile, tls.KeyFile }.Concat(tls.Verify ? [tls.CaFile] : []))
        {
            if (!File.Exists(file))
            {
                throw new SwarmEngineException($"TLS is on (DOCKER_TLS_VERIFY or the context), but {file} is missing; put ca.pem, cert.pem and key.pem in {tls.CertDirectory} (DOCKER_CERT_PATH)");
            }
        }

        try
        {
            var ca = tls.Verify ? X509CertificateLoader.LoadCertificateFromFile(tls.CaFile) : null;
            return new EngineTlsCredentials(tls, X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile), ca);
        }
        catch (CryptographicException ex)
        {
            throw new SwarmEngineException($"cannot load the TLS certificates in {tls.CertDirectory}: {ex.Message}", ex);
        }
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_tls.Verify)
        {
            return true;
        }

        if (certificate is null)
        {
            RejectionReason = "the engine sent no certificate";
            return false;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            RejectionReason = "the engine's certificate is not valid for the host dialled (check its subjectAltName)";
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_ca!);
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (!custom.Build(server))
        {
            var status = string.Join(", ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            RejectionReason = $"the engine's certificate is not signed by the CA in {_tls.CaFile} ({(status.Length > 0 ? status : "untrusted chain")})";
            return false;
        }

        RejectionReason = null;
        return true;
    }
}
