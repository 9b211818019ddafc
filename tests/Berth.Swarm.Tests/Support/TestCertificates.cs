using System.Diagnostics;
using Berth.Testing;

namespace Berth.Swarm.Tests.Support;

/// <summary>
/// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in a folder the
/// caller deletes. <see cref="ClientDirectory"/> holds ca.pem, cert.pem and key.pem as DOCKER_CERT_PATH expects.
/// </summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertFile => Path.Combine(Directory, "server-cert.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server-key.pem");

    /// <summary>What a client needs: the CA, its certificate and key.</summary>
    public string ClientDirectory => Path.Combine(Directory, "client");

    /// <summary>The same client certificate, but a ca.pem from an unrelated CA: the server must not be trusted.</summary>
    public string WrongCaClientDirectory => Path.Combine(Directory, "client-wrong-ca");

    public static TestCertificates Create(string directory)
    {
        var certs = new TestCertificates(directory);
        System.IO.Directory.CreateDirectory(certs.ClientDirectory);
        System.IO.Directory.CreateDirectory(certs.WrongCaClientDirectory);
        OpenSsl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=berth-test-ca");
        OpenSsl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca-key.pem", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=berth-other-ca");
        File.WriteAllText(Path.Combine(directory, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        File.WriteAllText(Path.Combine(directory, "client.ext"), "extendedKeyUsage=clientAuth\n");
        OpenSsl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        OpenSsl(directory, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "server-cert.pem", "-days", "2", "-extfile", "server.ext");
        OpenSsl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "client.csr", "-subj", "/CN=berth-test-client");
        OpenSsl(directory, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "client.ext");
        foreach (var target in new[] { certs.ClientDirectory, certs.WrongCaClientDirectory })
        {
            File.Copy(Path.Combine(directory, "cert.pem"), Path.Combine(target, "cert.pem"));
            File.Copy(Path.Combine(directory, "key.pem"), Path.Combine(target, "key.pem"));
        }

        File.Copy(certs.CaFile, Path.Combine(certs.ClientDirectory, "ca.pem"));
        File.Copy(Path.Combine(directory, "other-ca.pem"), Path.Combine(certs.WrongCaClientDirectory, "ca.pem"));
        return certs;
    }

    private static void OpenSsl(string directory, params string[] args)
    {
        var result = ToolProcess.Run("openssl", args, directory, timeout: TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {result.Stderr}");
    }
}
