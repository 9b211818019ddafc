using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Berth.Compose.Model;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Policy.Parsing;
using Berth.Policy.Profiles;

namespace Berth.Bench;

/// <summary>
/// Policy evaluation of the generated 2,000-service project beside its load (issue 14: evaluation under 5% of load):
/// the <c>restricted</c> profile and a policy with every rule on, which find violations in every service (the
/// generated services bind ./conf, set no user, publish 10000+), so building diagnostics is part of the cost; and a
/// policy the services pass, the cost of checking alone.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private string _generated = string.Empty;
    private ComposeProject _loaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _generated = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), "berth-bench-2000"), 2000);
        _loaded = ConvertRun.Load(_generated);
    }

    [Benchmark(Baseline = true)]
    public int Load2000Services() => ConvertRun.Load(_generated).Services.Count;

    [Benchmark]
    public int EvaluateRestricted2000Services() => PolicyRun.Evaluate(PolicyRun.Restricted, _loaded);

    [Benchmark]
    public int EvaluateEveryRule2000Services() => PolicyRun.Evaluate(PolicyRun.EveryRule, _loaded);

    [Benchmark]
    public int EvaluatePassing2000Services() => PolicyRun.Evaluate(PolicyRun.Passing, _loaded);
}

/// <summary>Shared by the benchmark and the `policy` quick mode.</summary>
public static class PolicyRun
{
    /// <summary>Every rule on, with lists long enough that a linear scan per service would show.</summary>
    public const string EveryRuleYaml = """
        version: 1
        name: every-rule
        rules:
          allowPrivileged: false
          allowHostPid: false
          allowHostIpc: false
          allowHostNetwork: false
          allowHostUserns: false
          allowHostUts: false
          allowHostCgroup: false
          bindMounts: {allowedPrefixes: [/srv/app, /srv/shared, ./config, ./conf], requireReadOnly: true}
          capabilities: {allowed: [NET_BIND_SERVICE, CHOWN], requireDropAll: true}
          allowDevices: false
          allowGpus: false
          requireNonRoot: true
          requireNoNewPrivileges: true
          allowUnconfined: false
          selinux: {allowedTypes: [container_t, container_init_t, container_kvm_t, container_engine_t]}
          sysctls: {allowed: [net.ipv4.tcp_syncookies, "net.ipv4.ip_local_*"]}
          ports: {allowedPublished: ["80", "443", "8000-8999", "10000-10999"], allowHostMode: false}
          resources: {requireLimits: true, requireReservations: true}
          images: {allowedRegistries: [ghcr.io/acme, registry.example.com, registry.example/team], requireDigest: true, denyLatest: true}
          restart: {allowedPolicies: [on-failure, unless-stopped]}
          replicas: {min: 2, max: 10}
        """;

    /// <summary>
    /// Every rule the generated services can satisfy, set so they do: the cost of checking without building
    /// diagnostics. Off: requireNonRoot, requireNoNewPrivileges, capabilities.requireDropAll, resources'
    /// reservations and images.requireDigest (the generated services set no user, cap_drop, security_opt,
    /// reservations or digests).
    /// </summary>
    public const string PassingYaml = """
        version: 1
        name: passing
        rules:
          allowPrivileged: false
          allowHostPid: false
          allowHostIpc: false
          allowHostNetwork: false
          allowHostUserns: false
          allowHostUts: false
          allowHostCgroup: false
          bindMounts: {allowedPrefixes: [/srv/app, /srv/shared, ./config, ./conf], requireReadOnly: true}
          capabilities: {allowed: [NET_BIND_SERVICE, CHOWN]}
          allowDevices: false
          allowGpus: false
          allowUnconfined: false
          selinux: {allowedTypes: [container_t, container_init_t, container_kvm_t, container_engine_t]}
          sysctls: {allowed: [net.ipv4.tcp_syncookies, "net.ipv4.ip_local_*"]}
          ports: {allowedPublished: ["80", "443", "8000-8999", "10000-12999"], allowHostMode: false}
          resources: {requireLimits: true}
          images: {allowedRegistries: [ghcr.io/acme, registry.example.com, registry.example/team], denyLatest: true}
          restart: {allowedPolicies: [on-failure, unless-stopped]}
          replicas: {min: 2, max: 10}
        """;

    public static DeployPolicy Passing { get; } = PolicyParser.Parse(PassingYaml, "passing.yaml", CancellationToken.None).Policy
        ?? throw new InvalidOperationException("the passing policy does not parse");

    public static DeployPolicy Restricted { get; } = BuiltInProfiles.TryGet("restricted")!;

    public static DeployPolicy EveryRule { get; } = PolicyParser.Parse(EveryRuleYaml, "every-rule.yaml", CancellationToken.None).Policy
        ?? throw new InvalidOperationException("the every-rule policy does not parse");

    private static readonly PolicyScope Scope = new("bench", "bench");

    public static int Evaluate(DeployPolicy policy, ComposeProject project) => PolicyEvaluator.Evaluate(policy, Scope, project).Length;

    /// <summary>
    /// `policy [N]`: N generated services (default 2,000) loaded and evaluated against both policies, after a warm-up
    /// of each; the median of <paramref name="runs"/> timed runs of each, and evaluation as a percentage of load.
    /// </summary>
    public static void Quick(int services, int runs = 15)
    {
        var file = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), $"berth-bench-{services}"), services);
        var project = ConvertRun.Load(file);
        for (var i = 0; i < 3; i++)
        {
            ConvertRun.Load(file);
            Evaluate(Restricted, project);
            Evaluate(EveryRule, project);
            Evaluate(Passing, project);
        }

        var load = Median(runs, () => ConvertRun.Load(file));
        foreach (var (name, policy) in new[] { ("restricted", Restricted), ("every-rule", EveryRule), ("passing", Passing) })
        {
            var violations = Evaluate(policy, project);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            Evaluate(policy, project);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            var gcs = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
            var evaluate = Median(runs, () => Evaluate(policy, project));
            Console.WriteLine(
                $"services={services} policy={name} violations={violations} load_ms={load:F1} evaluate_ms={evaluate:F2} " +
                $"evaluate_pct_of_load={100 * evaluate / load:F2} evaluate_allocated_mb={allocated / 1048576.0:F1} " +
                $"evaluate_gc_per_run={(GC.CollectionCount(0) - gcs[0]) / (double)runs:F1}/{(GC.CollectionCount(1) - gcs[1]) / (double)runs:F1}/{(GC.CollectionCount(2) - gcs[2]) / (double)runs:F1}");
        }
    }

    /// <summary>`policy N --by-rule`: each rule of the every-rule policy alone, to find the one that costs.</summary>
    public static void ByRule(int services, int runs = 9)
    {
        var file = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), $"berth-bench-{services}"), services);
        var project = ConvertRun.Load(file);
        var empty = PolicyParser.Parse("version: 1\n", "empty.yaml", CancellationToken.None).Policy!;
        var lines = EveryRuleYaml.Split('\n');
        var first = Array.FindIndex(lines, l => l.TrimEnd() == "rules:") + 1;
        Evaluate(EveryRule, project);
        Console.WriteLine($"services={services} rule=none evaluate_ms={Median(runs, () => Evaluate(empty, project)):F2}");
        foreach (var rule in lines[first..].Where(l => l.Trim().Length > 0))
        {
            var policy = PolicyParser.Parse($"version: 1\nrules:\n{rule}\n", "rule.yaml", CancellationToken.None).Policy!;
            Evaluate(policy, project);
            Console.WriteLine($"services={services} rule={rule.Trim().Split(':')[0]} violations={Evaluate(policy, project)} evaluate_ms={Median(runs, () => Evaluate(policy, project)):F2}");
        }
    }

    /// <summary>`policy N --profile SECONDS`: evaluates the every-rule policy in a loop, nothing else, for `perf record`.</summary>
    public static void Profile(int services, double seconds)
    {
        var file = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), $"berth-bench-{services}"), services);
        var project = ConvertRun.Load(file);
        var runs = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            Evaluate(EveryRule, project);
            runs++;
        }

        Console.WriteLine($"services={services} policy=every-rule runs={runs} mean_ms={sw.Elapsed.TotalMilliseconds / runs:F2}");
    }

    private static double Median(int runs, Action action)
    {
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
