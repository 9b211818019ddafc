using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Testing;

/// <summary>PEM files of a throw-away CA, a serving certificate for 127.0.0.1/localhost and a client certificate, for TLS tests.</summary>
public sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    /// <summary>Writes the files into <paramref name="directory"/>; <paramref name="clientName"/> is the client certificate's CN.</summary>
    public static TestCertificates Create(string directory, string clientName = "berth-test-client")
    {
        Directory.CreateDirectory(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=berth-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        var server = Issue(ca, "CN=127.0.0.1", names.Build(), "1.3.6.1.5.5.7.3.1", notBefore, notAfter);
        var client = Issue(ca, "CN=" + clientName, null, "1.3.6.1.5.5.7.3.2", notBefore, notAfter);

        var files = new TestCertificates(
            Path.Combine(directory, "ca.crt"),
            Path.Combine(directory, "server.crt"),
            Path.Combine(directory, "server.key"),
            Path.Combine(directory, "client.crt"),
            Path.Combine(directory, "client.key"));
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(files.ServerCertFile, server.Certificate);
        File.WriteAllText(files.ServerKeyFile, server.Key);
        File.WriteAllText(files.ClientCertFile, client.Certificate);
        File.WriteAllText(files.ClientKeyFile, client.Key);
        return files;
    }

    private static (string Certificate, string Key) Issue(X509Certificate2 ca, string subject, X509Extension? names, string usage, DateTimeOffset notBefore, DateTimeOffset notAfter)
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

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var certificate = request.Create(ca, notBefore, notAfter, serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
