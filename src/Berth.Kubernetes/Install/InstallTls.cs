using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Berth.Kubernetes.Install;

/// <summary>
/// The CA and serving certificate of the berth Service (PEM): the APIServices and webhook configurations carry the CA
/// as caBundle, the Secret carries all three. Kept across installs: the CA in every caBundle must not change on each run.
/// </summary>
public sealed record InstallTls(string CaCertificatePem, string CertificatePem, string PrivateKeyPem)
{
    public const string CaKey = "ca.crt";
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";

    /// <summary>The names the serving certificate must cover for kube-apiserver to reach <paramref name="service"/> (it dials <c>&lt;svc&gt;.&lt;ns&gt;.svc</c>).</summary>
    public static IReadOnlyList<string> DnsNames(string service, string @namespace)
        => [service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];

    /// <summary>A new CA (10 years) and a certificate it signs for the names (5 years), ECDSA P-256.</summary>
    public static InstallTls Generate(IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        var notBefore = now.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=berth-ca@{now.ToUnixTimeSeconds()}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, now.AddYears(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var serving = request.Create(ca, notBefore, now.AddYears(5), serial);
        return new InstallTls(ca.ExportCertificatePem() + "\n", serving.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>
    /// The material of an existing Secret's <c>data</c> (base64 values) when it is still good: parses, the key
    /// matches, it covers every name, chains to the CA and has more than 30 days left. Else null (generate anew).
    /// </summary>
    public static InstallTls? FromSecretData(IReadOnlyDictionary<string, string> data, IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(dnsNames);
        try
        {
            if (!data.TryGetValue(CaKey, out var ca) || !data.TryGetValue(CertificateKey, out var cert) || !data.TryGetValue(PrivateKeyKey, out var key))
            {
                return null;
            }

            var tls = new InstallTls(Decode(ca), Decode(cert), Decode(key));
            using var serving = X509Certificate2.CreateFromPem(tls.CertificatePem, tls.PrivateKeyPem);
            using var authority = X509Certificate2.CreateFromPem(tls.CaCertificatePem);
            if (serving.NotAfter.ToUniversalTime() < now.UtcDateTime.AddDays(30) || !dnsNames.All(n => serving.MatchesHostname(n)))
            {
                return null;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(serving) ? tls : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(System.Convert.FromBase64String(base64));
}
