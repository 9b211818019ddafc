using System.Collections.Immutable;

namespace Berth.ApiServer.Hosting;

/// <summary>How <c>--authorization-mode</c> decides: everything allowed, or SubjectAccessReview against the cluster.</summary>
internal enum AuthorizationMode
{
    AlwaysAllow,
    Delegated,
}

/// <summary>The parsed command line of berth-apiserver, in kube-apiserver's flag spelling.</summary>
internal sealed record ServerOptions
{
    public ImmutableArray<string> EtcdServers { get; init; } = ["http://127.0.0.1:2379"];
    public string? EtcdCaFile { get; init; }
    public string? EtcdCertFile { get; init; }
    public string? EtcdKeyFile { get; init; }
    public string EtcdPrefix { get; init; } = "/registry/compose.docker.com/stacks";

    /// <summary>8443 is compose-on-kubernetes's api-server port; 6443 would collide with a local kube-apiserver.</summary>
    public int SecurePort { get; init; } = 8443;

    public string BindAddress { get; init; } = "0.0.0.0";
    public string? TlsCertFile { get; init; }
    public string? TlsPrivateKeyFile { get; init; }
    public string CertDir { get; init; } = "apiserver.local.config/certificates";
    public string ServiceName { get; init; } = "compose-api";
    public string ServiceNamespace { get; init; } = "docker";
    public string? TokenAuthFile { get; init; }
    public string? ClientCaFile { get; init; }
    public string? RequestHeaderClientCaFile { get; init; }
    public ImmutableArray<string> RequestHeaderAllowedNames { get; init; } = [];
    public ImmutableArray<string> RequestHeaderUsernameHeaders { get; init; } = ["X-Remote-User"];
    public ImmutableArray<string> RequestHeaderGroupHeaders { get; init; } = ["X-Remote-Group"];
    public ImmutableArray<string> RequestHeaderExtraHeadersPrefix { get; init; } = ["X-Remote-Extra-"];

    /// <summary>Null: Delegated when a cluster is configured, AlwaysAllow standalone.</summary>
    public AuthorizationMode? AuthorizationMode { get; init; }

    public string? Kubeconfig { get; init; }

    /// <summary>How often the server compacts its etcd (kube-apiserver: 5 minutes).</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Serve only the CRD mode's webhooks (admission and conversion): no etcd, no Stack API.</summary>
    public bool WebhooksOnly { get; init; }

    /// <summary>How often the extension-apiserver-authentication ConfigMap is re-read when it is used (CAs rotate).</summary>
    public TimeSpan AuthenticationConfigReloadInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The install namespace, where the cluster deploy policy ConfigMap (berth-policy) is read.</summary>
    public string PolicyNamespace { get; init; } = Berth.Policy.Cluster.ClusterPolicyConfigMap.DefaultNamespace;

    /// <summary>How long a read of the policy ConfigMap is used before it is read again (zero: every admission).</summary>
    public TimeSpan PolicyCacheTimeToLive { get; init; } = Berth.Policy.Cluster.ClusterPolicySource.DefaultTimeToLive;
}
