using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Testing;

/// <summary>
/// Throw-away CAs, serving certificates (127.0.0.1, localhost) and client certificates for TLS tests, in memory or as
/// PEM files: the one certificate generator of the tests and of the Kubernetes API double.
/// </summary>
public sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>Writes a CA, a serving pair and a client pair into <paramref name="directory"/>; <paramref name="clientName"/> is the client's CN.</summary>
    public static TestCertificates Create(string directory, string clientName = "berth-test-client")
    {
        Directory.CreateDirectory(directory);
        using var ca = CreateCa("berth-test-ca");
        using var server = CreateServer(ca, "127.0.0.1");
        using var client = CreateClient(ca, clientName);
        var files = new TestCertificates(
            Path.Combine(directory, "ca.crt"),
            Path.Combine(directory, "server.crt"),
            Path.Combine(directory, "server.key"),
            Path.Combine(directory, "client.crt"),
            Path.Combine(directory, "client.key"));
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(files.ServerCertFile, server.ExportCertificatePem());
        File.WriteAllText(files.ServerKeyFile, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.ClientCertFile, client.ExportCertificatePem());
        File.WriteAllText(files.ClientKeyFile, client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return files;
    }

    /// <summary>A self-signed CA (with its key) named <paramref name="name"/>, valid for two days.</summary>
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        // Two days, so every certificate it signs later (valid for one) ends before it does.
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        return Reimported(created);
    }

    /// <summary>A serving certificate for 127.0.0.1 and localhost (server-auth usage), signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 CreateServer(X509Certificate2 ca, string commonName)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        return Issue(ca, new X500DistinguishedName($"CN={commonName}"), ServerAuth, names.Build());
    }

    /// <summary>A client certificate (client-auth usage) with CN <paramref name="commonName"/> and O <paramref name="organizations"/>, signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 CreateClient(X509Certificate2 ca, string commonName, params string[] organizations)
    {
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        return Issue(ca, subject.Build(), ClientAuth, null);
    }

    /// <summary>Writes <paramref name="certificate"/> as PEM into <paramref name="directory"/>; returns the path.</summary>
    public static string WritePem(string directory, string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return path;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, X500DistinguishedName subject, string usage, X509Extension? names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return Reimported(withKey);
    }

    // Through PKCS#12 so SslStream can present the key on every platform, and the key stays exportable for PEM files.
    private static X509Certificate2 Reimported(X509Certificate2 certificate)
        => X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, "x"), "x", X509KeyStorageFlags.Exportable);
}
