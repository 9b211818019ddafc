using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Verification.Tests.Support;
using Berth.Stacks.Events;

namespace Berth.Kubernetes.Verification.Tests.Apply;

/// <summary>
/// Deploys rich Compose files to <see cref="KubernetesApiDouble"/> (the in-process test double of the Kubernetes API,
/// not a cluster) and validates every request body Berth sent — the server-side apply patches, annotations
/// included — against the strict Kubernetes 1.36 schema of its kind: a misplaced or misspelt field fails here.
/// </summary>
public sealed class AppliedBodySchemaTests
{
    private const string Rich = """
        name: rich
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80", {target: 443, published: 30443, mode: ingress}]
            secrets: [api-key, {source: tls-cert, target: /etc/tls/cert.pem, mode: 0400}]
            configs: [{source: site, target: /etc/nginx/conf.d/site.conf}, {source: motd, target: /etc/motd.d/motd}]
            healthcheck: {test: ["CMD", "curl", "-f", "http://localhost"], interval: 10s, timeout: 2s, retries: 3, start_period: 20s}
            deploy:
              replicas: 3
              resources: {limits: {cpus: "0.5", memory: 256M}, reservations: {cpus: "0.1", memory: 64M}}
              update_config: {parallelism: 1, order: start-first, delay: 5s}
              placement: {constraints: ["node.labels.zone==a"], preferences: [{spread: node.labels.zone}]}
            labels:
              kompose.service.expose: "shop.example.com"
              kompose.hpa.cpu: "60"
              kompose.hpa.replicas.min: "2"
              kompose.hpa.replicas.max: "6"
            tmpfs: ["/tmp:size=64m"]
            networks: [front, back]
          api:
            image: example/api:2
            expose: ["9000"]
            environment: {MODE: production, REGION: eu}
            volumes: ["shared:/data", "cache:/cache"]
            networks: [back]
            stop_grace_period: 20s
          worker:
            image: example/worker:2
            volumes: ["shared:/work:ro"]
            networks: [back]
          db:
            image: postgres:16
            volumes: ["db-data:/var/lib/postgresql/data"]
            secrets: [db-password]
            environment: {POSTGRES_PASSWORD_FILE: /run/secrets/db-password}
            networks: [back]
          agent:
            image: example/agent:1
            deploy: {mode: global}
            volumes: ["/var/log:/host/log:ro", "agent-state:/state"]
            cap_add: [NET_ADMIN]
          migrate:
            image: example/migrate:1
            deploy: {mode: replicated-job, replicas: 2, restart_policy: {max_attempts: 3}}
            secrets: [db-password]
          seed:
            image: example/seed:1
            deploy: {mode: global-job}
        networks:
          front:
          back:
        volumes:
          shared:
          cache:
          db-data:
            driver_opts: {size: 5Gi}
          agent-state:
        secrets:
          api-key: {file: ./api-key.txt}
          tls-cert: {file: ./cert.pem}
          db-password: {file: ./db-password.txt}
        configs:
          site: {content: "server { listen 80; }"}
          motd: {file: ./motd.bin}
        """;

    public static TheoryData<string> Stacks() => ["voting-app", "rich"];

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task EveryRequestBody_OfDeployAndChangedRedeploy_IsValidForItsKind(string stack)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await KubernetesApiDouble.StartAsync(ct);
        using var client = api.CreateClient();
        var deployer = new KubernetesDeployer(client, stack, StackEventSink.None);

        var first = Plan(stack, "one");
        var created = await deployer.DeployAsync(stack, first, new KubernetesDeployOptions { Detach = true }, ct);
        var changed = await deployer.DeployAsync(stack, Plan(stack, "two"), new KubernetesDeployOptions { Detach = true }, ct);

        Assert.Empty(created.Collisions);
        Assert.Equal(first.Objects.Length, created.Created.Length);
        Assert.NotEmpty(changed.Updated);
        var writes = api.Requests.Where(r => r.IsWrite).ToList();
        Assert.Equal(created.Writes + changed.Writes, writes.Count);

        // Besides the apply patches only Jobs are deleted (a changed Job is replaced: its template is immutable).
        Assert.All(writes.Where(w => w.Verb != "patch"), w => Assert.Equal(("delete", "jobs.batch"), (w.Verb, w.Resource)));
        var bodies = writes.Where(w => w.Verb == "patch").ToList();
        Assert.All(bodies, b => Assert.False(string.IsNullOrEmpty(b.Body)));
        var violations = new List<string>();
        foreach (var request in bodies)
        {
            var body = JsonNode.Parse(request.Body!)!;
            Assert.NotNull(body["metadata"]?["annotations"]?["berth.io/applied-hash"]);
            violations.AddRange(KubernetesSchemaValidator.Shared.Validate(body).Select(v => v.ToString()));
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations.Distinct()));
        var kinds = bodies.Select(b => (string?)JsonNode.Parse(b.Body!)!["kind"]).Distinct().Order(StringComparer.Ordinal).ToList();
        TestContext.Current.SendDiagnosticMessage($"{stack}: {bodies.Count} bodies validated, kinds {string.Join(", ", kinds)}");
        if (stack == "rich")
        {
            Assert.Superset(new HashSet<string?> { "Namespace", "Secret", "ConfigMap", "PersistentVolumeClaim", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "Ingress", "HorizontalPodAutoscaler", "NetworkPolicy" }, kinds.ToHashSet());
        }
    }

    /// <summary>The stack converted like the CLI; <paramref name="secret"/> is the content of one secret file, so a second plan changes it.</summary>
    private static KubernetesPlan Plan(string stack, string secret)
    {
        string file;
        if (stack == "voting-app")
        {
            var source = Path.Combine(TestPaths.RepositoryRoot, "examples", "voting-app");
            var dir = Directory.CreateTempSubdirectory("berth-voting-").FullName;
            File.Copy(Path.Combine(source, "compose.yaml"), Path.Combine(dir, "compose.yaml"));
            File.WriteAllText(Path.Combine(dir, "db-password.txt"), secret);
            file = Path.Combine(dir, "compose.yaml");
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("berth-rich-").FullName;
            file = Path.Combine(dir, "compose.yaml");
            File.WriteAllText(file, Rich);
            File.WriteAllText(Path.Combine(dir, "api-key.txt"), "key-" + secret);
            File.WriteAllText(Path.Combine(dir, "cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
            File.WriteAllText(Path.Combine(dir, "db-password.txt"), secret);
            File.WriteAllBytes(Path.Combine(dir, "motd.bin"), [0xff, 0xfe, 0x00, 0x01]);
        }

        var (plan, _) = Conversion.Convert(Conversion.Load(file), new KubernetesConvertOptions { Namespace = stack, StackName = stack, NetworkPolicies = true, PublishedServiceType = PublishedServiceType.NodePort });
        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        return plan;
    }
}
