using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Tests.Parity;

namespace Berth.Compose.Tests.Validation;

/// <summary>
/// Typed values (numbers, durations, byte sizes, booleans) judged by Berth and by the real `docker stack config`
/// (docker CLI 28, no engine needed) on the same file. Each case records both verdicts; the test checks them
/// against the two real implementations, so a verdict that changes on either side fails here. Where they differ,
/// the case says why: docker's v3 schema is stricter about literal strings (<c>replicas: "3"</c>, <c>cpus: 0.5</c>)
/// than the Compose Specification that docker compose and Berth follow, and `docker stack config` does not parse
/// some values it only converts at deploy time.
/// </summary>
public sealed class TypedValueParityTests
{
    private const string V3Stricter = "Compose Specification (docker compose) accepts it; docker's v3 schema types it more narrowly";
    private const string NotInV3 = "key missing from docker's v3 schema; the Compose Specification has it";
    private const string DockerParsesLater = "docker stack config does not parse the value (docker stack deploy fails on it later); compose-go refuses it";

    /// <summary>
    /// The service body (below <c>services.web:</c>, after <c>image: x</c>), the environment, and the verdicts.
    /// A refused value is always on the body's last line: every error must point there.
    /// </summary>
    private static readonly ImmutableArray<Case> Cases =
    [
        new("replicas-int", "deploy: {replicas: 3}", Berth: true, Docker: true),
        new("replicas-quoted", "deploy: {replicas: \"3\"}", Berth: true, Docker: false, V3Stricter),
        new("replicas-word", "deploy: {replicas: two}", Berth: false, Docker: false),
        new("replicas-float", "deploy: {replicas: 3.5}", Berth: false, Docker: false),
        new("replicas-var-int", "deploy:\n  replicas: ${R}", Berth: true, Docker: true, Environment: "R=3"),
        new("replicas-var-word", "deploy:\n  replicas: ${R}", Berth: false, Docker: false, Environment: "R=two"),
        new("scale-word", "scale: two", Berth: false, Docker: false),
        new("scale-int", "scale: 2", Berth: true, Docker: false, NotInV3),
        new("limits-cpus-quoted", "deploy: {resources: {limits: {cpus: \"0.5\"}}}", Berth: true, Docker: true),
        new("limits-cpus-float", "deploy: {resources: {limits: {cpus: 0.5}}}", Berth: true, Docker: false, V3Stricter),
        new("limits-cpus-word", "deploy: {resources: {limits: {cpus: lots}}}", Berth: false, Docker: true, DockerParsesLater),
        new("limits-cpus-var-word", "deploy:\n  resources:\n    limits:\n      cpus: \"${C}\"", Berth: false, Docker: true, DockerParsesLater, "C=lots"),
        new("reservations-cpus-word", "deploy: {resources: {reservations: {cpus: half}}}", Berth: false, Docker: true, DockerParsesLater),
        new("limits-pids-int", "deploy: {resources: {limits: {pids: 100}}}", Berth: true, Docker: true),
        new("limits-pids-word", "deploy: {resources: {limits: {pids: many}}}", Berth: false, Docker: false),
        new("limits-memory-512m", "deploy: {resources: {limits: {memory: 512m}}}", Berth: true, Docker: true),
        new("limits-memory-1g", "deploy: {resources: {limits: {memory: 1g}}}", Berth: true, Docker: true),
        new("limits-memory-bytes", "deploy: {resources: {limits: {memory: 1073741824}}}", Berth: false, Docker: false),
        new("mem_limit-bytes", "mem_limit: 1073741824", Berth: true, Docker: false, NotInV3),
        new("limits-memory-word", "deploy: {resources: {limits: {memory: lots}}}", Berth: false, Docker: false),
        new("mem_limit-512m", "mem_limit: 512m", Berth: true, Docker: false, NotInV3),
        new("mem_limit-word", "mem_limit: lots", Berth: false, Docker: false),
        new("shm_size-64m", "shm_size: 64m", Berth: true, Docker: true),
        new("shm_size-word", "shm_size: big", Berth: false, Docker: true, DockerParsesLater),
        new("healthcheck-interval-10s", "healthcheck: {test: [CMD, \"true\"], interval: 10s}", Berth: true, Docker: true),
        new("healthcheck-interval-1m30s", "healthcheck: {test: [CMD, \"true\"], interval: 1m30s}", Berth: true, Docker: true),
        new("healthcheck-interval-word", "healthcheck: {test: [CMD, \"true\"], interval: often}", Berth: false, Docker: false),
        new("healthcheck-timeout-no-unit", "healthcheck: {test: [CMD, \"true\"], timeout: 10}", Berth: false, Docker: false),
        new("healthcheck-start_period-word", "healthcheck: {test: [CMD, \"true\"], start_period: later}", Berth: false, Docker: false),
        new("healthcheck-retries-int", "healthcheck: {test: [CMD, \"true\"], retries: 3}", Berth: true, Docker: true),
        new("healthcheck-retries-word", "healthcheck: {test: [CMD, \"true\"], retries: three}", Berth: false, Docker: false),
        new("stop_grace_period-1m30s", "stop_grace_period: 1m30s", Berth: true, Docker: true),
        new("stop_grace_period-word", "stop_grace_period: soon", Berth: false, Docker: false),
        new("restart-max_attempts-int", "deploy: {restart_policy: {max_attempts: 3}}", Berth: true, Docker: true),
        new("restart-max_attempts-word", "deploy: {restart_policy: {max_attempts: three}}", Berth: false, Docker: false),
        new("restart-delay-5s", "deploy: {restart_policy: {delay: 5s}}", Berth: true, Docker: true),
        new("restart-delay-word", "deploy: {restart_policy: {delay: briefly}}", Berth: false, Docker: false),
        new("restart-window-word", "deploy: {restart_policy: {window: wide}}", Berth: false, Docker: false),
        new("update-parallelism-int", "deploy: {update_config: {parallelism: 2}}", Berth: true, Docker: true),
        new("update-parallelism-word", "deploy: {update_config: {parallelism: two}}", Berth: false, Docker: false),
        new("update-delay-word", "deploy: {update_config: {delay: later}}", Berth: false, Docker: false),
        new("update-max_failure_ratio-float", "deploy: {update_config: {max_failure_ratio: 0.1}}", Berth: true, Docker: true),
        new("update-max_failure_ratio-word", "deploy: {update_config: {max_failure_ratio: some}}", Berth: false, Docker: false),
        new("update-monitor-word", "deploy: {update_config: {monitor: always}}", Berth: false, Docker: false),
        new("ports-target-int", "ports: [{target: 80, published: 8080}]", Berth: true, Docker: true),
        new("ports-target-word", "ports: [{target: http, published: 8080}]", Berth: false, Docker: false),
        new("ports-published-word", "ports: [{target: 80, published: eighty}]", Berth: false, Docker: false),
        new("ulimits-int", "ulimits: {nofile: 1024}", Berth: true, Docker: true),
        new("ulimits-word", "ulimits: {nofile: lots}", Berth: false, Docker: false),
        new("ulimits-soft-word", "ulimits: {nofile: {soft: lots, hard: 2048}}", Berth: false, Docker: false),
        new("init-true", "init: true", Berth: true, Docker: true),
        new("init-quoted-true", "init: \"true\"", Berth: true, Docker: false, V3Stricter),
        new("init-var-true", "init: ${B}", Berth: true, Docker: false, "compose-go casts init after interpolation; the docker CLI's loader does not", "B=true"),
        new("init-yes", "init: yes", Berth: true, Docker: false, "compose-go reads YAML 1.1's yes as true with a warning; Berth warns (BC307) too"),
        new("init-word", "init: maybe", Berth: false, Docker: false),
        new("read_only-true", "read_only: true", Berth: true, Docker: true),
        new("read_only-word", "read_only: sometimes", Berth: false, Docker: false),
        new("tty-true", "tty: true", Berth: true, Docker: true),
        new("tty-int", "tty: 1", Berth: false, Docker: false),
        new("privileged-false", "privileged: false", Berth: true, Docker: true),
        new("privileged-word", "privileged: nope", Berth: false, Docker: false),
        new("oom_score_adj-int", "oom_score_adj: 500", Berth: true, Docker: true),
        new("oom_score_adj-word", "oom_score_adj: high", Berth: false, Docker: false),
        new("cpu_shares-int", "cpu_shares: 512", Berth: true, Docker: false, NotInV3),
        new("cpu_shares-word", "cpu_shares: many", Berth: false, Docker: false),
        new("pids_limit-word", "pids_limit: lots", Berth: false, Docker: false),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Fact]
    public void Table_CoversEnoughCasesOnBothSides()
    {
        Assert.True(Cases.Length >= 30);
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(Cases, c => !c.Berth && !c.Docker);
        Assert.Contains(Cases, c => c.Berth && c.Docker);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Verdict_MatchesDockerStackConfig_OrTheDifferenceIsExplained(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        Assert.True(c.Berth == c.Docker || c.Why is not null, $"{name}: the verdicts differ without a reason");

        var directory = Path.Combine(Path.GetTempPath(), "berth-typed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var file = Path.Combine(directory, "compose.yaml");
            var body = string.Join('\n', c.Body.Split('\n').Select(line => "    " + line));
            File.WriteAllText(file, $"services:\n  web:\n    image: x\n{body}\n");
            var environment = c.Environment is null
                ? ImmutableDictionary<string, string>.Empty
                : ImmutableDictionary<string, string>.Empty.Add(c.Environment.Split('=')[0], c.Environment.Split('=')[1]);

            var docker = DockerStackConfig.Run(file, environment);
            Assert.True(docker.ExitCode is 0 or 1, $"docker stack config crashed: {docker.Stderr}");
            Assert.True(c.Docker == (docker.ExitCode == 0), $"{name}: docker stack config now {(docker.ExitCode == 0 ? "accepts" : "refuses")} it: {docker.Stderr}");

            var berth = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = environment, WorkingDirectory = directory }, TestContext.Current.CancellationToken);
            var errors = berth.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
            Assert.True(c.Berth == berth.Succeeded, $"{name}: Berth {(berth.Succeeded ? "accepts" : "refuses")} it:\n{string.Join('\n', berth.Diagnostics)}");
            if (!c.Berth)
            {
                // Refused at the value itself, with a hint, the way every loader error is reported. (The Compose
                // Specification types deploy.resources.*.memory as a string only, so compose-go refuses
                // "memory: 1073741824" there too; mem_limit takes a number.)
                var valueLine = 3 + c.Body.Split('\n').Length;
                Assert.All(errors, e =>
                {
                    Assert.Equal(file, e.Location.File);
                    Assert.Equal(valueLine, e.Location.Line);
                    Assert.True(e.Location.Column > 0);
                    Assert.StartsWith("services.web", e.YamlPath, StringComparison.Ordinal);
                    // Schema type errors (BC302: "tty: 1") name the expected types instead of a hint.
                    Assert.True(e.Code == DiagnosticCodes.SchemaType || !string.IsNullOrEmpty(e.Hint), e.ToString());
                });
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record Case(string Name, string Body, bool Berth, bool Docker, string? Why = null, string? Environment = null);
}
