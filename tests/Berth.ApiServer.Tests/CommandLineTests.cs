using Berth.ApiServer.Hosting;

namespace Berth.ApiServer.Tests;

public sealed class CommandLineTests
{
    private static async Task<(int Code, ServerOptions? Options, string Out, string Err)> Run(params string[] args)
    {
        ServerOptions? seen = null;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, (o, _) => { seen = o; return Task.FromResult(0); }, output, error);
        return (code, seen, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Defaults_AreKubeApiServerSpellingAndComposeOnKubernetesPort()
    {
        var (code, options, _, _) = await Run();
        Assert.Equal(0, code);
        Assert.NotNull(options);
        Assert.Equal(8443, options.SecurePort);
        Assert.Equal(["http://127.0.0.1:2379"], options.EtcdServers);
        Assert.Equal("/registry/compose.docker.com/stacks", options.EtcdPrefix);
        Assert.Equal(["X-Remote-User"], options.RequestHeaderUsernameHeaders);
        Assert.Equal(["X-Remote-Group"], options.RequestHeaderGroupHeaders);
        Assert.Equal(["X-Remote-Extra-"], options.RequestHeaderExtraHeadersPrefix);
        Assert.Null(options.AuthorizationMode);
        Assert.Equal(TimeSpan.FromMinutes(5), options.CompactionInterval);
    }

    [Fact]
    public async Task Flags_CommaSeparatedListsAndModes_AreParsed()
    {
        var (code, options, _, err) = await Run("--etcd-servers", "http://127.0.0.1:1,https://127.0.0.1:2", "--secure-port", "9443", "--bind-address", "127.0.0.1",
            "--authorization-mode", "AlwaysAllow", "--requestheader-allowed-names", "front-proxy-client,aggregator", "--service-name", "api", "--service-namespace", "berth");
        Assert.True(code == 0, err);
        Assert.Equal(["http://127.0.0.1:1", "https://127.0.0.1:2"], options!.EtcdServers);
        Assert.Equal(9443, options.SecurePort);
        Assert.Equal(AuthorizationMode.AlwaysAllow, options.AuthorizationMode);
        Assert.Equal(["front-proxy-client", "aggregator"], options.RequestHeaderAllowedNames);
        Assert.Equal("api", options.ServiceName);
    }

    [Fact]
    public async Task UnknownFlag_ExitsTwoWithAHint()
    {
        var (code, options, _, err) = await Run("--insecure-port", "8080");
        Assert.Equal(2, code);
        Assert.Null(options);
        Assert.Contains("--insecure-port", err, StringComparison.Ordinal);
        Assert.Contains("--help", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadValues_AreAllReportedAtOnce_ExitTwo()
    {
        var (code, options, _, err) = await Run("--secure-port", "0", "--bind-address", "localhost", "--tls-cert-file", "/nonexistent/c.crt", "--etcd-servers", "127.0.0.1:2379");
        Assert.Equal(2, code);
        Assert.Null(options);
        Assert.Contains("--secure-port must be between 1 and 65535", err, StringComparison.Ordinal);
        Assert.Contains("--bind-address localhost: not an IP address", err, StringComparison.Ordinal);
        Assert.Contains("--tls-cert-file and --tls-private-key-file go together", err, StringComparison.Ordinal);
        Assert.Contains("--tls-cert-file /nonexistent/c.crt: no such file", err, StringComparison.Ordinal);
        Assert.Contains("--etcd-servers 127.0.0.1:2379: expected scheme://ip:port", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizationMode_OutsideTheTwoModes_IsRefused()
    {
        var (code, _, _, err) = await Run("--authorization-mode", "RBAC");
        Assert.Equal(2, code);
        Assert.Contains("RBAC", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryFlagAndExitsZero()
    {
        var (code, options, output, _) = await Run("--help");
        Assert.Equal(0, code);
        Assert.Null(options);
        foreach (var flag in new[] { "--etcd-servers", "--etcd-cafile", "--etcd-certfile", "--etcd-keyfile", "--etcd-prefix", "--secure-port", "--bind-address", "--tls-cert-file", "--tls-private-key-file", "--cert-dir", "--token-auth-file", "--client-ca-file", "--requestheader-client-ca-file", "--requestheader-allowed-names", "--authorization-mode", "--kubeconfig" })
        {
            Assert.Contains(flag, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_DelegatedWithoutACluster_OrABadTokenFile_ExitsTwoBeforeServing()
    {
        using var folder = new Berth.Testing.TempProject(("tokens.csv", "only-a-token\n"));
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(2, await ApiServerHost.RunAsync(new ServerOptions { AuthorizationMode = AuthorizationMode.Delegated, CertDir = folder.PathOf("certs") }, ct));
        Assert.Equal(2, await ApiServerHost.RunAsync(new ServerOptions { TokenAuthFile = folder.PathOf("tokens.csv"), CertDir = folder.PathOf("certs") }, ct));
        Assert.False(Directory.Exists(folder.PathOf("certs")));
    }
}
