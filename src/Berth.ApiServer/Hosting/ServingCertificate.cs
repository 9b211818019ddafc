using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.ApiServer.Hosting;

/// <summary>The serving certificate: the given PEM pair, or a self-signed CA and a certificate it signed in --cert-dir.</summary>
internal static class ServingCertificate
{
    public const string CaFileName = "ca.crt";
    public const string CertFileName = "apiserver.crt";
    public const string KeyFileName = "apiserver.key";

    /// <summary>Loads --tls-cert-file/--tls-private-key-file, or reuses or generates the pair in --cert-dir.</summary>
    public static (X509Certificate2 Certificate, string Source) Load(ServerOptions options)
    {
        if (options.TlsCertFile is { } certFile && options.TlsPrivateKeyFile is { } keyFile)
        {
            return (X509Certificate2.CreateFromPemFile(certFile, keyFile), certFile);
        }

        var dir = Path.GetFullPath(options.CertDir);
        var cert = Path.Combine(dir, CertFileName);
        var key = Path.Combine(dir, KeyFileName);
        var ca = Path.Combine(dir, CaFileName);
        var names = DnsNames(options);
        if (File.Exists(cert) && File.Exists(key) && File.Exists(ca))
        {
            var existing = X509Certificate2.CreateFromPemFile(cert, key);
            // Regenerated when it no longer covers the service name or is about to expire.
            if (existing.NotAfter > DateTime.UtcNow.AddDays(1) && names.All(n => existing.MatchesHostname(n)))
            {
                return (existing, cert);
            }
        }

        Generate(dir, names);
        return (X509Certificate2.CreateFromPemFile(cert, key), cert);
    }

    private static string[] DnsNames(ServerOptions options)
        => ["localhost", $"{options.ServiceName}.{options.ServiceNamespace}.svc", $"{options.ServiceName}.{options.ServiceNamespace}.svc.cluster.local"];

    private static void Generate(string dir, string[] dnsNames)
    {
        Directory.CreateDirectory(dir);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=berth-apiserver-ca@{now.ToUnixTimeSeconds()}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caCert = caRequest.CreateSelfSigned(now, now.AddYears(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=berth-apiserver", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var serving = request.Create(caCert, now, now.AddYears(1), serial);

        File.WriteAllText(Path.Combine(dir, CaFileName), caCert.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, CertFileName), serving.ExportCertificatePem() + "\n");
        var keyPath = Path.Combine(dir, KeyFileName);
        File.WriteAllText(keyPath, string.Empty);
        // The key is readable by the server's user only.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
