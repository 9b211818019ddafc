using System.Collections.Immutable;

namespace Berth.Policy.Model;

/// <summary>
/// What a stack may do. Every rule is optional: null means "not checked". A profile's rule set is overlaid by the
/// rules a policy file writes, rule by rule (a rule written replaces the profile's whole rule of that name).
/// </summary>
public sealed record RuleSet
{
    public static RuleSet Empty { get; } = new();

    /// <summary><c>privileged: true</c> allowed.</summary>
    public bool? AllowPrivileged { get; init; }

    /// <summary><c>pid: host</c> allowed.</summary>
    public bool? AllowHostPid { get; init; }

    /// <summary><c>ipc: host</c> allowed.</summary>
    public bool? AllowHostIpc { get; init; }

    /// <summary><c>network_mode: host</c> allowed.</summary>
    public bool? AllowHostNetwork { get; init; }

    /// <summary><c>userns_mode: host</c> allowed.</summary>
    public bool? AllowHostUserns { get; init; }

    /// <summary><c>uts: host</c> allowed.</summary>
    public bool? AllowHostUts { get; init; }

    /// <summary><c>cgroup: host</c> allowed.</summary>
    public bool? AllowHostCgroup { get; init; }

    public BindMountRule? BindMounts { get; init; }

    public CapabilityRule? Capabilities { get; init; }

    /// <summary><c>devices</c> allowed.</summary>
    public bool? AllowDevices { get; init; }

    /// <summary><c>gpus</c> and <c>deploy.resources.reservations.devices</c> allowed.</summary>
    public bool? AllowGpus { get; init; }

    /// <summary><c>user</c> must be set and not root (name <c>root</c> or uid 0).</summary>
    public bool? RequireNonRoot { get; init; }

    /// <summary><c>security_opt</c> must hold <c>no-new-privileges:true</c>.</summary>
    public bool? RequireNoNewPrivileges { get; init; }

    /// <summary><c>security_opt</c> may turn off seccomp, AppArmor, SELinux labelling or masked system paths.</summary>
    public bool? AllowUnconfined { get; init; }

    /// <summary>SELinux types a <c>security_opt: label:type:…</c> may name (user, role and disable are <see cref="AllowUnconfined"/>).</summary>
    public SelinuxRule? Selinux { get; init; }

    public SysctlRule? Sysctls { get; init; }

    public PortRule? Ports { get; init; }

    public ResourceRule? Resources { get; init; }

    public ImageRule? Images { get; init; }

    public RestartRule? Restart { get; init; }

    public ReplicaRule? Replicas { get; init; }

    /// <summary>This set with every rule <paramref name="over"/> sets replacing this set's rule of the same name.</summary>
    public RuleSet Overlay(RuleSet over) => new()
    {
        AllowPrivileged = over.AllowPrivileged ?? AllowPrivileged,
        AllowHostPid = over.AllowHostPid ?? AllowHostPid,
        AllowHostIpc = over.AllowHostIpc ?? AllowHostIpc,
        AllowHostNetwork = over.AllowHostNetwork ?? AllowHostNetwork,
        AllowHostUserns = over.AllowHostUserns ?? AllowHostUserns,
        AllowHostUts = over.AllowHostUts ?? AllowHostUts,
        AllowHostCgroup = over.AllowHostCgroup ?? AllowHostCgroup,
        BindMounts = over.BindMounts ?? BindMounts,
        Capabilities = over.Capabilities ?? Capabilities,
        AllowDevices = over.AllowDevices ?? AllowDevices,
        AllowGpus = over.AllowGpus ?? AllowGpus,
        RequireNonRoot = over.RequireNonRoot ?? RequireNonRoot,
        RequireNoNewPrivileges = over.RequireNoNewPrivileges ?? RequireNoNewPrivileges,
        AllowUnconfined = over.AllowUnconfined ?? AllowUnconfined,
        Selinux = over.Selinux ?? Selinux,
        Sysctls = over.Sysctls ?? Sysctls,
        Ports = over.Ports ?? Ports,
        Resources = over.Resources ?? Resources,
        Images = over.Images ?? Images,
        Restart = over.Restart ?? Restart,
        Replicas = over.Replicas ?? Replicas,
    };
}

/// <summary>Bind mounts (<c>volumes</c> of type <c>bind</c>): allowed at all, under which host folders, read-only.</summary>
public sealed record BindMountRule(bool Allow, ImmutableArray<string> AllowedPrefixes, bool RequireReadOnly);

/// <summary><c>cap_add</c> only from <see cref="Allowed"/> (names without <c>CAP_</c>); <c>cap_drop: [ALL]</c> when required.</summary>
public sealed record CapabilityRule(ImmutableArray<string> Allowed, bool RequireDropAll);

/// <summary>SELinux types <c>label:type:…</c> may set (empty: none); a service that sets no type keeps the runtime's.</summary>
public sealed record SelinuxRule(ImmutableArray<string> AllowedTypes);

/// <summary><c>sysctls</c> names allowed; an entry ending in <c>*</c> allows every name it starts.</summary>
public sealed record SysctlRule(ImmutableArray<string> Allowed);

/// <summary>Published ports inside these ranges (empty: any); <c>mode: host</c> allowed or not.</summary>
public sealed record PortRule(ImmutableArray<PortRange> AllowedPublished, bool AllowHostMode);

public readonly record struct PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>CPU and memory limits, and reservations (Kubernetes' requests), required.</summary>
public sealed record ResourceRule(bool RequireLimits, bool RequireReservations);

/// <summary>Images: from these registries (or registry/path prefixes; empty: any), pinned by digest, not <c>latest</c> or untagged.</summary>
public sealed record ImageRule(ImmutableArray<string> AllowedRegistries, bool RequireDigest, bool DenyLatest);

/// <summary>Restart policies allowed, spelled as Compose's <c>restart</c> (no, always, on-failure, unless-stopped).</summary>
public sealed record RestartRule(ImmutableArray<string> AllowedPolicies);

/// <summary>Replica bounds (<c>deploy.replicas</c> or <c>scale</c>, 1 when absent); global services are not counted.</summary>
public sealed record ReplicaRule(int? Min, int? Max);
