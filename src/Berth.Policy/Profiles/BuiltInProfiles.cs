using System.Collections.Frozen;
using Berth.Policy.Model;
using Berth.Policy.Parsing;

namespace Berth.Policy.Profiles;

/// <summary>
/// The built-in profiles, written in the policy file format itself (so the schema test checks them too) and meaning on
/// Compose what Kubernetes' Pod Security Standards levels mean on pods; docs/design/policy.md maps them control by control.
/// </summary>
public static class BuiltInProfiles
{
    public const string PrivilegedYaml = """
        # Pod Security Standards "Privileged": unrestricted.
        version: 1
        kind: BerthPolicy
        name: privileged
        """;

    public const string BaselineYaml = """
        # Pod Security Standards "Baseline": prevents known privilege escalations.
        version: 1
        kind: BerthPolicy
        name: baseline
        rules:
          allowPrivileged: false        # Privileged Containers
          allowHostPid: false           # Host Namespaces (hostPID)
          allowHostIpc: false           # Host Namespaces (hostIPC)
          allowHostNetwork: false       # Host Namespaces (hostNetwork)
          allowHostUserns: false        # Host Namespaces (hostUsers; Berth's reading)
          allowHostUts: false           # Host Namespaces (hostNetwork shares the host's UTS; Berth's reading)
          allowHostCgroup: false        # Host Namespaces (pods never share the host's; Berth's reading)
          bindMounts:                   # HostPath Volumes
            allow: false
          allowDevices: false           # HostPath Volumes (a device is a host path under /dev)
          capabilities:                 # Capabilities
            allowed: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]
          allowUnconfined: false        # AppArmor, SELinux (disable, user, role), /proc Mount Type, Seccomp
          selinux:                      # SELinux (type)
            allowedTypes: [container_t, container_init_t, container_kvm_t, container_engine_t]
          sysctls:                      # Sysctls (the safe set)
            allowed:
              - kernel.shm_rmid_forced
              - net.ipv4.ip_local_port_range
              - net.ipv4.ip_unprivileged_port_start
              - net.ipv4.tcp_syncookies
              - net.ipv4.ping_group_range
              - net.ipv4.ip_local_reserved_ports
              - net.ipv4.tcp_keepalive_time
              - net.ipv4.tcp_fin_timeout
              - net.ipv4.tcp_keepalive_intvl
              - net.ipv4.tcp_keepalive_probes
          ports:                        # Host Ports
            allowHostMode: false
        """;

    public const string RestrictedYaml = """
        # Pod Security Standards "Restricted": hardening best practices, on top of Baseline.
        version: 1
        kind: BerthPolicy
        name: restricted
        profile: baseline
        rules:
          capabilities:                 # Capabilities (Restricted): drop ALL, add only NET_BIND_SERVICE
            allowed: [NET_BIND_SERVICE]
            requireDropAll: true
          requireNoNewPrivileges: true  # Privilege Escalation
          requireNonRoot: true          # Running as Non-root, Running as Non-root user
        """;

    public static IReadOnlyList<string> Names { get; } = ["privileged", "baseline", "restricted"];

    private static readonly FrozenDictionary<string, string> Texts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["privileged"] = PrivilegedYaml,
        ["baseline"] = BaselineYaml,
        ["restricted"] = RestrictedYaml,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, DeployPolicy>> Parsed = new(ParseAll);

    public static string? Yaml(string name) => Texts.GetValueOrDefault(name);

    /// <summary>The profile as a whole policy (what <c>--policy restricted</c> means); null for an unknown name.</summary>
    public static DeployPolicy? TryGet(string name) => Parsed.Value.GetValueOrDefault(name);

    public static RuleSet? TryGetRules(string name) => TryGet(name)?.Rules;

    private static FrozenDictionary<string, DeployPolicy> ParseAll()
    {
        var result = new Dictionary<string, DeployPolicy>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            var parsed = PolicyParser.Parse(Texts[name], $"profile:{name}", n => result.GetValueOrDefault(n)?.Rules, CancellationToken.None);
            result[name] = parsed.Policy ?? throw new InvalidOperationException($"built-in profile '{name}' does not parse: {string.Join("; ", parsed.Diagnostics)}");
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
