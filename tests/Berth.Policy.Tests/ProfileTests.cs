using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Policy.Profiles;

namespace Berth.Policy.Tests;

/// <summary>
/// The built-in profiles against cases modelled on the Kubernetes Pod Security Standards page's controls: each case
/// changes one field of a Restricted-compliant service and says whether Baseline and Restricted allow the result.
/// </summary>
public sealed class ProfileTests
{
    // Restricted-compliant: non-root user, all capabilities dropped, NET_BIND_SERVICE added back, no privilege escalation.
    private static readonly Dictionary<string, string> Compliant = new(StringComparer.Ordinal)
    {
        ["image"] = "nginx:1.27",
        ["user"] = "\"10001:10001\"",
        ["cap_drop"] = "[ALL]",
        ["cap_add"] = "[NET_BIND_SERVICE]",
        ["security_opt"] = "[\"no-new-privileges:true\"]",
    };

    public static TheoryData<string, string, bool, bool> Cases => new()
    {
        // case, changes ("key=value", "-key" removes), allowed by Baseline, allowed by Restricted
        { "compliant", "", true, true },
        { "Host Namespaces: hostNetwork", "network_mode=host", false, false },
        { "Host Namespaces: hostPID", "pid=host", false, false },
        { "Host Namespaces: hostIPC", "ipc=host", false, false },
        { "Host Namespaces (Berth): host UTS, which hostNetwork implies", "uts=host", false, false },
        { "Host Namespaces (Berth): host cgroup namespace", "cgroup=host", false, false },
        { "Host Namespaces (Berth): private cgroup namespace", "cgroup=private", true, true },
        { "Privileged Containers", "privileged=true", false, false },
        { "Capabilities: SYS_ADMIN", "cap_add=[SYS_ADMIN]", false, false },
        { "Capabilities: NET_RAW is outside Baseline's list", "cap_add=[NET_RAW]", false, false },
        { "Capabilities: CHOWN is Baseline, not Restricted", "cap_add=[CHOWN]", true, false },
        { "Capabilities: not dropping ALL", "-cap_drop", true, false },
        { "HostPath Volumes", "volumes=[\"/var/log:/var/log:ro\"]", false, false },
        { "Volume Types: a named volume (like a persistentVolumeClaim)", "volumes=[\"data:/data\"]", true, true },
        { "HostPath Volumes: a named volume binding a host folder", "volumes=[\"hostdir:/data\"]", false, false },
        { "Volume Types: tmpfs (like emptyDir)", "tmpfs=[/tmp]", true, true },
        { "Seccomp: Unconfined", "security_opt=[\"no-new-privileges:true\", \"seccomp:unconfined\"]", false, false },
        { "AppArmor: unconfined", "security_opt=[\"no-new-privileges:true\", \"apparmor:unconfined\"]", false, false },
        { "SELinux: custom user", "security_opt=[\"no-new-privileges:true\", \"label:user:system_u\"]", false, false },
        { "SELinux: type container_t", "security_opt=[\"no-new-privileges:true\", \"label:type:container_t\"]", true, true },
        { "SELinux: type container_init_t", "security_opt=[\"no-new-privileges:true\", \"label=type:container_init_t\"]", true, true },
        { "SELinux: type container_kvm_t", "security_opt=[\"no-new-privileges:true\", \"label:type:container_kvm_t\"]", true, true },
        { "SELinux: type container_engine_t", "security_opt=[\"no-new-privileges:true\", \"label:type:container_engine_t\"]", true, true },
        { "SELinux: type spc_t (unconfined)", "security_opt=[\"no-new-privileges:true\", \"label:type:spc_t\"]", false, false },
        { "SELinux: custom role", "security_opt=[\"no-new-privileges:true\", \"label=role:sysadm_r\"]", false, false },
        { "SELinux: disabled", "security_opt=[\"no-new-privileges:true\", \"label=disable\"]", false, false },
        { "SELinux: level is free", "security_opt=[\"no-new-privileges:true\", \"label:level:s0:c100,c200\"]", true, true },
        { "/proc Mount Type: Unmasked", "security_opt=[\"no-new-privileges:true\", \"systempaths=unconfined\"]", false, false },
        { "Sysctls: safe set", "sysctls={net.ipv4.tcp_syncookies: 1}", true, true },
        { "Sysctls: outside the safe set", "sysctls={kernel.msgmax: 65536}", false, false },
        { "Host Ports", "ports=[{target: 80, published: 8080, mode: host}]", false, false },
        { "Ingress-published port (a Service, not a hostPort)", "ports=[\"8080:80\"]", true, true },
        { "Running as Non-root: user unset", "-user", true, false },
        { "Running as Non-root user: uid 0", "user=\"0\"", true, false },
        { "Privilege Escalation: allowed", "-security_opt", true, false },
        { "Devices (host paths under /dev)", "devices=[/dev/fuse]", false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Profiles_allow_and_deny_as_the_pod_security_levels_do(string caseName, string changes, bool baseline, bool restricted)
    {
        var project = PolicyTestSupport.LoadText(Compose(changes));
        var scope = new PolicyScope(null, "app");

        Assert.True(Allowed("privileged"), $"{caseName}: privileged profile");
        Assert.True(baseline == Allowed("baseline"), $"{caseName}: baseline should {(baseline ? "allow" : "deny")}: {Violations("baseline")}");
        Assert.True(restricted == Allowed("restricted"), $"{caseName}: restricted should {(restricted ? "allow" : "deny")}: {Violations("restricted")}");

        bool Allowed(string profile) => Violations(profile).Length == 0;
        string Violations(string profile)
            => string.Join("; ", PolicyEvaluator.Evaluate(BuiltInProfiles.TryGet(profile)!, scope, project, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Restricted_includes_every_baseline_rule()
    {
        var baseline = BuiltInProfiles.TryGetRules("baseline")!;
        var restricted = BuiltInProfiles.TryGetRules("restricted")!;
        Assert.Equal(baseline.AllowPrivileged, restricted.AllowPrivileged);
        Assert.Equal(baseline.BindMounts, restricted.BindMounts);
        Assert.Equal(baseline.Sysctls, restricted.Sysctls);
        Assert.Equal(baseline.Ports, restricted.Ports);
        Assert.Equal(baseline.AllowUnconfined, restricted.AllowUnconfined);
        Assert.Equal(baseline.Selinux, restricted.Selinux);
        Assert.Equal(baseline.AllowHostUts, restricted.AllowHostUts);
        Assert.Equal(baseline.AllowHostCgroup, restricted.AllowHostCgroup);
        Assert.Equal(RuleSet.Empty, BuiltInProfiles.TryGetRules("privileged"));
        Assert.Null(BuiltInProfiles.TryGet("strict"));
    }

    private static string Compose(string changes)
    {
        var fields = new Dictionary<string, string>(Compliant, StringComparer.Ordinal);
        foreach (var change in changes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (change.StartsWith('-'))
            {
                fields.Remove(change[1..]);
            }
            else
            {
                var eq = change.IndexOf('=', StringComparison.Ordinal);
                fields[change[..eq]] = change[(eq + 1)..];
            }
        }

        var lines = fields.Select(f => $"    {f.Key}: {f.Value}");
        return $"services:\n  web:\n{string.Join("\n", lines)}\nvolumes:\n  data: {{}}\n  hostdir:\n    driver_opts: {{type: none, o: bind, device: /srv/data}}\n";
    }
}
