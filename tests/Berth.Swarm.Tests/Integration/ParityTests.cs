using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// The same Compose file deployed by <c>docker stack deploy</c> (the reference) and by <c>berth stack deploy</c>
/// as two stacks on the real engine; the stored specs must agree field by field except for
/// the intended differences listed in <see cref="s_intendedDifferences"/>, each with its reason.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class ParityTests
{
    /// <summary>Spec paths (regex over the flattened JSON path) where Berth differs on purpose.</summary>
    private static readonly (Regex Path, string Reason)[] s_intendedDifferences =
    [
        (new(@"^Labels\.io\.berth\.spec-hash$"), "Berth records the hash of the spec it wrote, so an unchanged redeploy makes no write"),
        (new(@"^TaskTemplate\.ContainerSpec\.(Secrets|Configs)\[\d+\]\.(SecretID|ConfigID)$"), "IDs of two different objects"),
        (new(@"^TaskTemplate\.ContainerSpec\.(Secrets|Configs)\[\d+\]\.(SecretName|ConfigName)$"), "Berth names secrets and configs by content (<stack>_<key>_<hash>) so changed content redeploys instead of failing with 'only updates to Labels are allowed'"),
    ];

    // Ports nothing else publishes: the two stacks are deployed one after the other on the same ports.
    private static readonly int s_routedPort = Engine.FreePublishedPort();
    private static readonly int s_hostPort = Engine.FreePublishedPort();

    private static string ComposeFile => $$$"""
        version: "3.9"
        services:
          web:
            image: berth-test/busybox:1
            command: ["httpd", "-f", "-p", "80", "-h", "/"]
            entrypoint: ["/bin/busybox"]
            environment:
              MODE: parity
              EMPTY:
            labels: {tier: front}
            hostname: web-host
            user: "0"
            working_dir: /tmp
            init: true
            tty: true
            stdin_open: true
            stop_grace_period: 5s
            stop_signal: SIGTERM
            cap_add: [NET_ADMIN]
            cap_drop: [MKNOD]
            ulimits:
              nofile: {soft: 1024, hard: 2048}
            extra_hosts: ["db.local:10.0.0.5"]
            logging: {driver: json-file, options: {max-size: 1m}}
            healthcheck:
              test: ["CMD-SHELL", "true"]
              interval: 2s
              timeout: 1s
              retries: 2
              start_period: 1s
            ports:
              - "{{{s_routedPort}}}:80"
              - {target: 81, published: {{{s_hostPort}}}, mode: host}
            networks:
              front: {aliases: [www]}
              back:
            volumes:
              - data:/data
              - type: tmpfs
                target: /cache
                tmpfs: {size: 1048576}
            secrets:
              - token
              - {source: token, target: /etc/token, uid: "1", gid: "2", mode: 0400}
            configs:
              - {source: settings, target: /etc/settings}
            deploy:
              replicas: 1
              labels: {owner: team}
              endpoint_mode: vip
              resources:
                limits: {cpus: "0.5", memory: 64M, pids: 100}
                reservations: {cpus: "0.1", memory: 8M}
              restart_policy: {condition: on-failure, delay: 1s, max_attempts: 3, window: 10s}
              placement:
                constraints: [node.role == manager]
                preferences: [{spread: node.id}]
                max_replicas_per_node: 2
              update_config: {parallelism: 2, delay: 1s, failure_action: pause, monitor: 1s, max_failure_ratio: 0.5, order: stop-first}
              rollback_config: {delay: 1s}
          worker:
            image: berth-test/busybox:1
            command: sleep 3600
            restart: on-failure:4
            deploy:
              mode: global
          batch:
            image: berth-test/busybox:1
            command: ["true"]
            deploy:
              mode: replicated-job
              replicas: 2
        networks:
          front:
            labels: {net: front}
          back:
            attachable: true
        volumes:
          data:
            labels: {vol: data}
        secrets:
          token: {file: ./token.txt}
        configs:
          settings: {file: ./settings.txt}
        """;

    public ParityTests() => Engine.RequireSwarmManager();

    [Fact]
    public void DockerStackDeployAndBerth_ProduceTheSameServiceSpecs_ExceptIntendedDifferences()
    {
        var docker = Engine.NewStackName("pd");
        var berth = Engine.NewStackName("pb");
        var dir = SwarmEngineTests.WriteProject(ComposeFile);
        File.WriteAllText(Path.Combine(dir, "token.txt"), "parity-secret");
        File.WriteAllText(Path.Combine(dir, "settings.txt"), "a=1");
        try
        {
            // One after the other: both publish the same ports. Specs are flattened (network IDs resolved) before removal.
            var reference = Engine.DockerIn(dir, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", docker);
            Assert.True(reference.ExitCode == 0, reference.ToString());
            var services = new[] { "web", "worker", "batch" };
            var expectedSpecs = services.ToDictionary(s => s, s => Flatten(Inspect($"{docker}_{s}"), docker));
            var expectedNetworks = new[] { "front", "back", "default" }.ToDictionary(n => n, n => NetworkSummary(docker, n));
            Engine.RemoveStack(docker);

            var ours = Engine.Berth(dir, null, "stack", "deploy", "--detach", "-c", "compose.yaml", berth);
            Assert.True(ours.ExitCode == 0, ours.ToString());

            var problems = new List<string>();
            foreach (var service in services)
            {
                var expected = expectedSpecs[service];
                var actual = Flatten(Inspect($"{berth}_{service}"), berth);
                foreach (var path in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
                {
                    var (e, a) = (expected.GetValueOrDefault(path), actual.GetValueOrDefault(path));
                    if (e == a || s_intendedDifferences.Any(d => d.Path.IsMatch(path)))
                    {
                        continue;
                    }

                    problems.Add($"{service}: {path}: docker stack = {e ?? "<absent>"}, berth = {a ?? "<absent>"}");
                }
            }

            foreach (var (network, summary) in expectedNetworks)
            {
                var actual = NetworkSummary(berth, network);
                if (actual != summary)
                {
                    problems.Add($"network {network}: docker stack = {summary}, berth = {actual}");
                }
            }

            Assert.True(problems.Count == 0, "specs differ beyond the intended differences:\n" + string.Join('\n', problems));

        }
        finally
        {
            Engine.RemoveStack(docker);
            Engine.RemoveStack(berth);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string NetworkSummary(string stack, string network)
        => Engine.Docker("network", "inspect", "--format", "{{.Driver}} {{.Internal}} {{.Attachable}} {{json .Labels}}", $"{stack}_{network}").Stdout.Trim().Replace(stack, "<stack>", StringComparison.Ordinal);

    /// <summary>
    /// The spec as the engine stores it. Not <c>docker service inspect</c>: the CLI asks for swarmkit's defaults to be
    /// filled in, which hides a block one tool sends and the other omits (a task-template change, so a restart, when
    /// either takes over the other's stack).
    /// </summary>
    private static JsonElement Inspect(string service)
    {
        using var client = SwarmEngine.Connect();
        var spec = client.Swarm.InspectServiceAsync(service, TestContext.Current.CancellationToken).GetAwaiter().GetResult().Spec!;
        return JsonDocument.Parse(SwarmJson.SerializeToUtf8Bytes(spec)).RootElement.Clone();
    }

    private static string TargetOf(JsonElement reference)
        => reference.TryGetProperty("File", out var file) && file.TryGetProperty("Name", out var name) ? name.GetString() ?? string.Empty : string.Empty;

    /// <summary>path → JSON value, with the stack name and network IDs replaced by names (IDs differ per stack).</summary>
    private static Dictionary<string, string> Flatten(JsonElement spec, string stack)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(spec, string.Empty);
        return result;

        void Walk(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    // An empty block is a value of its own: the engine stores it as sent.
                    if (!element.EnumerateObject().Any())
                    {
                        result[path] = "{}";
                    }

                    foreach (var property in element.EnumerateObject())
                    {
                        Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                    }

                    break;
                case JsonValueKind.Array:
                    var items = element.EnumerateArray().ToList();
                    if (path.EndsWith(".Secrets", StringComparison.Ordinal) || path.EndsWith(".Configs", StringComparison.Ordinal))
                    {
                        // docker/cli orders references by secret/config name only, so two references to one secret come
                        // in either order from run to run; compare them by their target file instead.
                        items = [.. items.OrderBy(TargetOf, StringComparer.Ordinal)];
                    }

                    var i = 0;
                    foreach (var item in items)
                    {
                        Walk(item, $"{path}[{i++}]");
                    }

                    break;
                default:
                    var text = element.ToString();
                    if (path.EndsWith(".Target", StringComparison.Ordinal) && path.StartsWith("TaskTemplate.Networks", StringComparison.Ordinal))
                    {
                        text = Engine.Docker("network", "inspect", "--format", "{{.Name}}", text).Stdout.Trim();
                    }

                    result[path] = text.Replace(stack, "<stack>", StringComparison.Ordinal);
                    break;
            }
        }
    }
}
