using Berth.Policy.Evaluation;
using Berth.Policy.Model;

namespace Berth.Policy.Tests;

/// <summary>
/// For every rule: a service the rule allows, and the same service with one input flipped, which it must deny with that
/// rule's code (and nothing else); warn mode turns the same violation into a warning.
/// </summary>
public sealed class RuleMutationTests
{
    public static TheoryData<string, string, string, string> Rules => new()
    {
        // code, rules, allowed service fields, denied service fields
        { PolicyCodes.Privileged, "allowPrivileged: false", "privileged: false", "privileged: true" },
        { PolicyCodes.HostPid, "allowHostPid: false", "pid: service:db", "pid: host" },
        { PolicyCodes.HostIpc, "allowHostIpc: false", "ipc: private", "ipc: host" },
        { PolicyCodes.HostNetwork, "allowHostNetwork: false", "network_mode: bridge", "network_mode: host" },
        { PolicyCodes.HostUserns, "allowHostUserns: false", "image: nginx:1.27", "userns_mode: host" },
        { PolicyCodes.HostUts, "allowHostUts: false", "hostname: web", "uts: host" },
        { PolicyCodes.HostCgroup, "allowHostCgroup: false", "cgroup: private", "cgroup: host" },
        { PolicyCodes.SelinuxType, "selinux: {allowedTypes: [container_t]}", "security_opt: [\"label=type:container_t\"]", "security_opt: [\"label=type:spc_t\"]" },
        { PolicyCodes.BindMount, "bindMounts: {allow: false}", "volumes: [\"data:/data\"]", "volumes: [\"/data:/data\"]" },
        { PolicyCodes.BindMount, "bindMounts: {allowedPrefixes: [/srv]}", "volumes: [\"/srv/x:/data\"]", "volumes: [\"/srvx:/data\"]" },
        { PolicyCodes.BindMountWritable, "bindMounts: {requireReadOnly: true}", "volumes: [\"/srv:/data:ro\"]", "volumes: [\"/srv:/data:rw\"]" },
        { PolicyCodes.Capability, "capabilities: {allowed: [CHOWN]}", "cap_add: [CHOWN]", "cap_add: [NET_ADMIN]" },
        { PolicyCodes.CapabilityDropAll, "capabilities: {allowed: [], requireDropAll: true}", "cap_drop: [ALL]", "cap_drop: [CHOWN]" },
        { PolicyCodes.Device, "allowDevices: false", "devices: []", "devices: [/dev/fuse]" },
        { PolicyCodes.Gpu, "allowGpus: false", "image: nginx:1.27", "gpus: all" },
        { PolicyCodes.RunsAsRoot, "requireNonRoot: true", "user: app", "user: root" },
        { PolicyCodes.NoNewPrivileges, "requireNoNewPrivileges: true", "security_opt: [no-new-privileges]", "security_opt: [no-new-privileges:false]" },
        { PolicyCodes.Unconfined, "allowUnconfined: false", "security_opt: [seccomp:/etc/profile.json]", "security_opt: [seccomp:unconfined]" },
        { PolicyCodes.Sysctl, "sysctls: {allowed: [net.core.somaxconn]}", "sysctls: {net.core.somaxconn: 1024}", "sysctls: {net.core.rmem_max: 1024}" },
        { PolicyCodes.PublishedPort, "ports: {allowedPublished: [8000-8999]}", "ports: [\"8080:80\"]", "ports: [\"9090:80\"]" },
        { PolicyCodes.HostModePort, "ports: {allowHostMode: false}", "ports: [{target: 80, published: 8080, mode: ingress}]", "ports: [{target: 80, published: 8080, mode: host}]" },
        { PolicyCodes.Resources, "resources: {requireLimits: true}", "deploy: {resources: {limits: {cpus: '1', memory: 1G}}}", "deploy: {resources: {limits: {cpus: '1'}}}" },
        { PolicyCodes.Resources, "resources: {requireReservations: true}", "deploy: {resources: {reservations: {cpus: '1', memory: 1G}}}", "deploy: {resources: {reservations: {memory: 1G}}}" },
        { PolicyCodes.ImageRegistry, "images: {allowedRegistries: [registry.example.com]}", "image: registry.example.com/nginx:1.27", "image: nginx:1.27" },
        { PolicyCodes.ImageDigest, "images: {requireDigest: true}", "image: nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "image: nginx:1.27" },
        { PolicyCodes.ImageLatest, "images: {denyLatest: true}", "image: nginx:1.27", "image: nginx:latest" },
        { PolicyCodes.RestartPolicy, "restart: {allowedPolicies: [on-failure]}", "restart: on-failure", "restart: always" },
        { PolicyCodes.Replicas, "replicas: {max: 3}", "deploy: {replicas: 3}", "deploy: {replicas: 4}" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Flipping_the_input_flips_the_verdict(string code, string rules, string allowed, string denied)
    {
        var policy = PolicyTestSupport.ParsePolicy($"version: 1\nrules:\n  {rules}\n");
        var scope = new PolicyScope(null, "app");
        var ct = TestContext.Current.CancellationToken;

        Assert.Empty(OfWeb(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(Compose(allowed)), ct)));

        var violations = OfWeb(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(Compose(denied)), ct));
        var violation = Assert.Single(violations);
        Assert.Equal(code, violation.Code);
        Assert.Equal(Berth.Compose.Diagnostics.Severity.Error, violation.Severity);
        Assert.Equal(4, violation.Location.Line);
        Assert.False(string.IsNullOrEmpty(violation.Hint));

        var warned = Assert.Single(OfWeb(PolicyEvaluator.Evaluate(policy.WithMode(PolicyMode.Warn), scope, PolicyTestSupport.LoadText(Compose(denied)), ct)));
        Assert.Equal(Berth.Compose.Diagnostics.Severity.Warning, warned.Severity);
    }

    /// <summary>
    /// A named volume whose local driver binds a host folder is a bind mount: flipping its driver options from a tmpfs
    /// to <c>type: none, o: bind</c> flips every bind-mount rule, and the violation points at the volume's <c>device</c>.
    /// </summary>
    [Theory]
    [InlineData(PolicyCodes.BindMount, "bindMounts: {allow: false}", "o: bind")]
    [InlineData(PolicyCodes.BindMount, "bindMounts: {allowedPrefixes: [/srv]}", "o: bind")]
    [InlineData(PolicyCodes.BindMountWritable, "bindMounts: {requireReadOnly: true}", "o: rbind")]
    public void A_named_volume_binding_a_host_folder_is_a_bind_mount(string code, string rules, string bindOption)
    {
        var policy = PolicyTestSupport.ParsePolicy($"version: 1\nrules:\n  {rules}\n");
        var scope = new PolicyScope(null, "app");
        var ct = TestContext.Current.CancellationToken;

        Assert.Empty(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(NamedVolume("type: tmpfs", "o: size=64m", "device: tmpfs")), ct));
        Assert.Empty(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(NamedVolume("type: none", "o: \"bind,ro\"", "device: /srv/data")), ct)
            .Where(v => v.Code == PolicyCodes.BindMountWritable));

        var violation = Assert.Single(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(NamedVolume("type: none", bindOption, "device: /data")), ct));
        Assert.Equal(code, violation.Code);
        Assert.Equal(11, violation.Location.Line);
        Assert.Equal("services.web.volumes[0]", violation.YamlPath);
        Assert.Contains("'/data' through volume 'data'", violation.Message, StringComparison.Ordinal);

        // Another driver's options are that driver's business, not a host folder.
        Assert.Empty(PolicyEvaluator.Evaluate(policy, scope, PolicyTestSupport.LoadText(NamedVolume("type: none", bindOption, "device: /data").Replace("  data:\n", "  data:\n    driver: rexray\n", StringComparison.Ordinal)), ct));
    }

    /// <summary>Line 11 is the volume's device.</summary>
    private static string NamedVolume(string type, string options, string device)
        => $"services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - data:/data\nvolumes:\n  data:\n    driver_opts:\n      {type}\n      {options}\n      {device}\n";

    // Only the mutated service counts: 'db' exists for 'pid: service:db' and may break rules of its own.
    private static Berth.Compose.Diagnostics.Diagnostic[] OfWeb(IEnumerable<Berth.Compose.Diagnostics.Diagnostic> violations)
        => [.. violations.Where(v => v.YamlPath?.StartsWith("services.web.", StringComparison.Ordinal) == true)];

    /// <summary>Line 4 is the mutated field, whatever rule is tested (the image line comes first unless the field is the image).</summary>
    private static string Compose(string field)
        => field.StartsWith("image:", StringComparison.Ordinal)
            ? $"services:\n  web:\n    user: app\n    {field}\n  db:\n    image: redis:7\nvolumes:\n  data: {{}}\n"
            : $"services:\n  web:\n    image: nginx:1.27\n    {field}\n  db:\n    image: redis:7\nvolumes:\n  data: {{}}\n";
}
