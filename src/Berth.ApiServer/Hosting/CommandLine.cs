using System.Collections.Immutable;
using System.CommandLine;

namespace Berth.ApiServer.Hosting;

/// <summary>berth-apiserver's flags (System.CommandLine), spelt as kube-apiserver's where one exists.</summary>
internal static class CommandLine
{
    /// <summary>Exit code for a bad command line, as kube-apiserver's (cobra/pflag) usage errors.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Parses <paramref name="args"/>; on success runs <paramref name="run"/> with the options.</summary>
    public static async Task<int> RunAsync(string[] args, Func<ServerOptions, CancellationToken, Task<int>> run, TextWriter? output = null, TextWriter? error = null)
    {
        var root = Build(run);
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                configuration.Error.WriteLine($"berth-apiserver: {e.Message}");
            }

            configuration.Error.WriteLine("Run 'berth-apiserver --help' for the flags.");
            return UsageExitCode;
        }

        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    private static RootCommand Build(Func<ServerOptions, CancellationToken, Task<int>> run)
    {
        var d = new ServerOptions();
        var etcdServers = new Option<string[]>("--etcd-servers") { Description = "etcd endpoints, comma separated (scheme://ip:port)", DefaultValueFactory = _ => [.. d.EtcdServers], AllowMultipleArgumentsPerToken = false };
        var etcdCa = new Option<string?>("--etcd-cafile") { Description = "SSL Certificate Authority file used to secure etcd communication" };
        var etcdCert = new Option<string?>("--etcd-certfile") { Description = "SSL certification file used to secure etcd communication" };
        var etcdKey = new Option<string?>("--etcd-keyfile") { Description = "SSL key file used to secure etcd communication" };
        var etcdPrefix = new Option<string>("--etcd-prefix") { Description = "The key prefix of the stacks in etcd", DefaultValueFactory = _ => d.EtcdPrefix };
        var securePort = new Option<int>("--secure-port") { Description = "The port on which to serve HTTPS (8443, compose-on-kubernetes's)", DefaultValueFactory = _ => d.SecurePort };
        var bindAddress = new Option<string>("--bind-address") { Description = "The IP address on which to listen", DefaultValueFactory = _ => d.BindAddress };
        var tlsCert = new Option<string?>("--tls-cert-file") { Description = "PEM serving certificate (with intermediates); else a self-signed CA and certificate are generated into --cert-dir" };
        var tlsKey = new Option<string?>("--tls-private-key-file") { Description = "PEM private key matching --tls-cert-file" };
        var certDir = new Option<string>("--cert-dir") { Description = "Where the generated CA (ca.crt) and serving certificate go when --tls-cert-file is not given", DefaultValueFactory = _ => d.CertDir };
        var serviceName = new Option<string>("--service-name") { Description = "The Service in front of this server; the generated certificate names <service>.<namespace>.svc", DefaultValueFactory = _ => d.ServiceName };
        var serviceNamespace = new Option<string>("--service-namespace") { Description = "The namespace of --service-name", DefaultValueFactory = _ => d.ServiceNamespace };
        var tokenFile = new Option<string?>("--token-auth-file") { Description = "Bearer tokens, kube-apiserver's CSV: token,user,uid,\"group1,group2\"" };
        var clientCa = new Option<string?>("--client-ca-file") { Description = "Client certificates signed by this CA authenticate as CN (user) and O (groups)" };
        var rhCa = new Option<string?>("--requestheader-client-ca-file") { Description = "The front proxy's client certificate must chain to this CA before X-Remote-* headers are trusted" };
        var rhNames = new Option<string[]>("--requestheader-allowed-names") { Description = "Common names allowed for the front proxy's certificate (empty: any signed by the CA)", DefaultValueFactory = _ => [] };
        var rhUser = new Option<string[]>("--requestheader-username-headers") { Description = "Headers carrying the user name", DefaultValueFactory = _ => [.. d.RequestHeaderUsernameHeaders] };
        var rhGroup = new Option<string[]>("--requestheader-group-headers") { Description = "Headers carrying the groups", DefaultValueFactory = _ => [.. d.RequestHeaderGroupHeaders] };
        var rhExtra = new Option<string[]>("--requestheader-extra-headers-prefix") { Description = "Header prefixes carrying extra user attributes", DefaultValueFactory = _ => [.. d.RequestHeaderExtraHeadersPrefix] };
        var authz = new Option<string?>("--authorization-mode") { Description = "AlwaysAllow or Delegated (SubjectAccessReview against --kubeconfig's cluster); default Delegated with a cluster, AlwaysAllow standalone" };
        authz.AcceptOnlyFromAmong("AlwaysAllow", "Delegated");
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The cluster to delegate authentication and authorization to (default: in-cluster config when running in a pod; none: standalone)" };
        var compaction = new Option<int>("--etcd-compaction-interval-seconds") { Description = "How often to compact etcd (0: never)", DefaultValueFactory = _ => (int)d.CompactionInterval.TotalSeconds };

        var policyNamespace = new Option<string>("--policy-namespace") { Description = "The namespace of the cluster deploy policy ConfigMap berth-policy (berth system install's namespace)", DefaultValueFactory = _ => d.PolicyNamespace };
        var policyTtl = new Option<int>("--policy-cache-ttl-seconds") { Description = "How long a read of the policy ConfigMap is used (0: read at every admission)", DefaultValueFactory = _ => (int)d.PolicyCacheTimeToLive.TotalSeconds };
        var webhooksOnly = new Option<bool>("--webhooks-only") { Description = "Serve only the admission and conversion webhooks of stacks kept as a CustomResourceDefinition (CRD mode): no etcd, no Stack API" };
        var root = new RootCommand("berth-apiserver: serves compose.docker.com stacks (v1alpha3, v1beta2, v1beta1) over HTTPS on etcd, standalone or as an aggregated API server behind kube-apiserver.");
        Option[] all = [etcdServers, etcdCa, etcdCert, etcdKey, etcdPrefix, securePort, bindAddress, tlsCert, tlsKey, certDir, serviceName, serviceNamespace, tokenFile, clientCa, rhCa, rhNames, rhUser, rhGroup, rhExtra, authz, kubeconfig, compaction, policyNamespace, policyTtl, webhooksOnly];
        foreach (var option in all)
        {
            root.Options.Add(option);
        }

        root.SetAction((parse, ct) =>
        {
            var options = new ServerOptions
            {
            EtcdServers = Split(parse.GetValue(etcdServers)),
            EtcdCaFile = parse.GetValue(etcdCa),
            EtcdCertFile = parse.GetValue(etcdCert),
            EtcdKeyFile = parse.GetValue(etcdKey),
            EtcdPrefix = parse.GetValue(etcdPrefix)!,
            SecurePort = parse.GetValue(securePort),
            BindAddress = parse.GetValue(bindAddress)!,
            TlsCertFile = parse.GetValue(tlsCert),
            TlsPrivateKeyFile = parse.GetValue(tlsKey),
            CertDir = parse.GetValue(certDir)!,
            ServiceName = parse.GetValue(serviceName)!,
            ServiceNamespace = parse.GetValue(serviceNamespace)!,
            TokenAuthFile = parse.GetValue(tokenFile),
            ClientCaFile = parse.GetValue(clientCa),
            RequestHeaderClientCaFile = parse.GetValue(rhCa),
            RequestHeaderAllowedNames = Split(parse.GetValue(rhNames)),
            RequestHeaderUsernameHeaders = Split(parse.GetValue(rhUser)),
            RequestHeaderGroupHeaders = Split(parse.GetValue(rhGroup)),
            RequestHeaderExtraHeadersPrefix = Split(parse.GetValue(rhExtra)),
            AuthorizationMode = parse.GetValue(authz) is { } mode ? Enum.Parse<AuthorizationMode>(mode) : null,
            Kubeconfig = parse.GetValue(kubeconfig),
            CompactionInterval = TimeSpan.FromSeconds(parse.GetValue(compaction)),
            WebhooksOnly = parse.GetValue(webhooksOnly),
            PolicyNamespace = parse.GetValue(policyNamespace)!,
            PolicyCacheTimeToLive = TimeSpan.FromSeconds(parse.GetValue(policyTtl)),
            };
            var errors = Validate(options);
            foreach (var error in errors)
            {
                parse.InvocationConfiguration.Error.WriteLine($"berth-apiserver: {error}");
            }

            return errors.Count > 0 ? Task.FromResult(UsageExitCode) : run(options, ct);
        });
        return root;
    }

    /// <summary>What the parser cannot check alone; every problem at once.</summary>
    public static List<string> Validate(ServerOptions options)
    {
        var errors = new List<string>();
        if ((options.TlsCertFile is null) != (options.TlsPrivateKeyFile is null))
        {
            errors.Add("--tls-cert-file and --tls-private-key-file go together");
        }

        if (options.PolicyCacheTimeToLive < TimeSpan.Zero)
        {
            errors.Add("--policy-cache-ttl-seconds may not be negative");
        }

        if (options.SecurePort is < 1 or > 65535)
        {
            errors.Add("--secure-port must be between 1 and 65535 (TLS only: there is no insecure port)");
        }

        if (!System.Net.IPAddress.TryParse(options.BindAddress, out _))
        {
            errors.Add($"--bind-address {options.BindAddress}: not an IP address");
        }

        if (options.CompactionInterval < TimeSpan.Zero)
        {
            errors.Add("--etcd-compaction-interval-seconds must not be negative");
        }

        if (options.EtcdServers.IsEmpty && !options.WebhooksOnly)
        {
            errors.Add("--etcd-servers: at least one endpoint is needed");
        }

        foreach (var server in options.EtcdServers)
        {
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                errors.Add($"--etcd-servers {server}: expected scheme://ip:port (http or https)");
            }
        }

        foreach (var (flag, file) in new[] { ("--etcd-cafile", options.EtcdCaFile), ("--etcd-certfile", options.EtcdCertFile), ("--etcd-keyfile", options.EtcdKeyFile), ("--tls-cert-file", options.TlsCertFile), ("--tls-private-key-file", options.TlsPrivateKeyFile), ("--token-auth-file", options.TokenAuthFile), ("--client-ca-file", options.ClientCaFile), ("--requestheader-client-ca-file", options.RequestHeaderClientCaFile), ("--kubeconfig", options.Kubeconfig) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"{flag} {file}: no such file");
            }
        }

        return errors;
    }

    // pflag's string slices take commas as well as repeated flags.
    private static ImmutableArray<string> Split(string[]? values)
        => [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
