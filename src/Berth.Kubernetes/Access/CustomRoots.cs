using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Kubernetes.Access;

/// <summary>
/// "This certificate chains to these roots only": no system trust store and no revocation check (self-made CAs
/// publish no CRL), as Go's x509.VerifyOptions{Roots: pool} does for kube-apiserver's and etcd's CA flags.
/// </summary>
public static class CustomRoots
{
    /// <summary>The client-auth extended key usage, which AS/pkg/authentication/request/x509/x509.go requires of client certificates.</summary>
    public const string ClientAuthUsage = "1.3.6.1.5.5.7.3.2";

    /// <summary>Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/>, with <paramref name="usage"/> if given.</summary>
    public static bool Chains(X509Certificate certificate, X509Certificate2Collection roots, string? usage = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        }

        if (certificate is X509Certificate2 full)
        {
            return chain.Build(full);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(copy);
    }

    /// <summary>
    /// A server-certificate check for TLS clients: the chain judged against <paramref name="roots"/> only; any other
    /// error (a name mismatch, no certificate) refuses.
    /// </summary>
    public static bool IsTrustedServer(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
        => certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && Chains(certificate, roots);
}
