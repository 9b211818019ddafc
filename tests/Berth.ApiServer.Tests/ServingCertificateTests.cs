using System.Net;
using System.Security.Cryptography.X509Certificates;
using Berth.ApiServer.Hosting;
using Berth.Kubernetes.Access;
using Berth.StackApi;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

public sealed class ServingCertificateTests
{
    [Fact]
    public void Load_WithoutTlsFiles_GeneratesACaAndAServingCertificateForTheService()
    {
        using var folder = new TempProject();
        var options = new ServerOptions { CertDir = folder.PathOf("certs"), ServiceName = "compose-api", ServiceNamespace = "berth" };
        var (certificate, source) = ServingCertificate.Load(options);
        Assert.Equal(folder.PathOf("certs/apiserver.crt"), source);
        Assert.True(certificate.HasPrivateKey);
        Assert.True(certificate.MatchesHostname("localhost"));
        Assert.True(certificate.MatchesHostname("compose-api.berth.svc"));
        Assert.False(certificate.MatchesHostname("other.berth.svc"));
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());

        using var ca = X509CertificateLoader.LoadCertificateFromFile(folder.PathOf("certs/ca.crt"));
        Assert.True(CustomRoots.Chains(certificate, [ca]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.PathOf("certs/apiserver.key")));
        }

        // A restart reuses the pair, so clients keep trusting the same CA.
        var (again, _) = ServingCertificate.Load(options);
        Assert.Equal(certificate.Thumbprint, again.Thumbprint);
        // Another service name needs another certificate.
        var (renamed, _) = ServingCertificate.Load(options with { ServiceName = "api" });
        Assert.True(renamed.MatchesHostname("api.berth.svc"));
    }
}
