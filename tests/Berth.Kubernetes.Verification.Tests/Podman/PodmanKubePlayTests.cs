using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Podman;

/// <summary>
/// Really runs Berth's output: converts a Compose stack that uses a locally imported image, runs the generated
/// Deployments (with their ConfigMaps and Secrets) under `podman kube play`, and checks inside the running container
/// that command, working directory, environment, config file, secret file and listening port are what the Compose
/// file said. Needs root and scripts/setup-podman.sh (podman, runc, the localhost/berth-test/busybox:1 image): the
/// test fails, not skips, without them. Traffic goes only to the container's own loopback.
/// </summary>
public sealed class PodmanKubePlayTests
{
    private const string Image = "localhost/berth-test/busybox:1";
    private const string Greeting = "hello-from-compose";
    private const string ConfigContent = "listen=8080\nmode=compose\n";
    private const string SecretContent = "s3cr3t-token-value";

    /// <summary>
    /// The shell records its own command line (it is PID 1 until it execs httpd) and working directory (httpd changes
    /// directory) so the test can compare them with the Compose file; `$$` is Compose's escape for a literal `$`.
    /// </summary>
    private const string Script = "cp /proc/1/cmdline /tmp/started-as && pwd > /tmp/started-in && mkdir -p /tmp/www && echo $$GREETING > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www";

    // Service and project names are unique per run so that two runs (in a row after a crash, or from two checkouts
    // at once) never share a pod or a podman secret.
    private static string ComposeYaml(string id) => $$"""
        name: podcheck-{{id}}
        services:
          web-{{id}}:
            image: {{Image}}
            command: ["sh", "-c", "{{Script}}"]
            working_dir: /tmp
            environment:
              GREETING: {{Greeting}}
              MODE: production
            ports:
              - "8080:8080"
            configs:
              - source: app_config
                target: /etc/app/app.conf
            secrets:
              - source: api_token
        configs:
          app_config:
            content: |
              listen=8080
              mode=compose
        secrets:
          api_token:
            file: ./token.txt
        """;

    [Fact]
    public void PodmanKubePlay_ConvertedDeployment_RunsAsComposeSaid()
    {
        EnsurePodman();
        var directory = Directory.CreateTempSubdirectory("berth-podman-").FullName;
        var manifest = Path.Combine(directory, "play.yaml");
        var secretNames = new List<string>();
        try
        {
            File.WriteAllText(Path.Combine(directory, "compose.yaml"), ComposeYaml(Guid.NewGuid().ToString("N")[..8]));
            File.WriteAllText(Path.Combine(directory, "token.txt"), SecretContent);
            var (plan, objects) = Conversion.Convert(Conversion.Load(Path.Combine(directory, "compose.yaml")));
            Assert.DoesNotContain(plan.Diagnostics, d => d.Severity == Berth.Compose.Diagnostics.Severity.Error);

            var deployment = Assert.Single(objects, o => Str(o["kind"]) == "Deployment");
            var deploymentName = Str(deployment["metadata"]!["name"])!;
            var container = Assert.Single((JsonArray)deployment["spec"]!["template"]!["spec"]!["containers"]!)!;
            var containerName = Str(container["name"])!;

            // podman kube play needs the ConfigMaps and Secrets in the same file, before the Deployment.
            var playable = objects.Where(o => Str(o["kind"]) is "ConfigMap").Concat(objects.Where(o => Str(o["kind"]) is "Secret")).Append(deployment).ToList();
            secretNames.AddRange(playable.Where(o => Str(o["kind"]) == "Secret").Select(o => Str(o["metadata"]!["name"])!));
            File.WriteAllText(manifest, string.Join("---\n", playable.Select(o => ForPodman43(o).ToJsonString() + "\n")));

            Run("podman", ["kube", "play", manifest], TimeSpan.FromMinutes(2));
            var name = WaitForContainer(deploymentName, containerName);

            // Port: the service answers on the port Compose published, with content built from its environment.
            var page = Eventually(() => Run("podman", ["exec", name, "wget", "-qO-", "http://127.0.0.1:8080/"], TimeSpan.FromSeconds(20)));
            Assert.Equal(Greeting + "\n", page);

            // Command: the process started is exactly the Compose command (no shell wrapping, no entrypoint added),
            // and PID 1 is what it exec'd.
            var startedAs = Run("podman", ["exec", name, "cat", "/tmp/started-as"], TimeSpan.FromSeconds(20));
            Assert.Equal(["sh", "-c", Script.Replace("$$", "$", StringComparison.Ordinal)], startedAs.TrimEnd('\0').Split('\0'));
            var pid1 = Run("podman", ["exec", name, "cat", "/proc/1/cmdline"], TimeSpan.FromSeconds(20));
            Assert.Equal(["httpd", "-f", "-p", "8080", "-h", "/tmp/www"], pid1.TrimEnd('\0').Split('\0'));

            var env = Run("podman", ["exec", name, "env"], TimeSpan.FromSeconds(20)).Split('\n');
            Assert.Contains("GREETING=" + Greeting, env);
            Assert.Contains("MODE=production", env);

            Assert.Equal("/tmp\n", Run("podman", ["exec", name, "cat", "/tmp/started-in"], TimeSpan.FromSeconds(20)));
            Assert.Equal(ConfigContent, Run("podman", ["exec", name, "cat", "/etc/app/app.conf"], TimeSpan.FromSeconds(20)));

            // Compose's default secret target is /run/secrets/<name>. podman 4.3 writes secret volume files
            // base64-encoded (a podman bug, fixed upstream); accept exactly that encoding of the right content too.
            var secret = Run("podman", ["exec", name, "cat", "/run/secrets/api_token"], TimeSpan.FromSeconds(20));
            Assert.True(secret == SecretContent || secret == System.Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretContent)), $"secret file content: '{secret}'");
        }
        finally
        {
            if (File.Exists(manifest))
            {
                TryRun("podman", ["kube", "down", manifest]);
            }

            foreach (var secret in secretNames)
            {
                TryRun("podman", ["secret", "rm", secret]);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Adapts valid Kubernetes to what podman 4.3 (Debian 12) can play, without changing what the pod sees:
    /// <list type="bullet">
    /// <item>podman 4.3 supports no <c>projected</c> volumes (Berth mounts secrets and configs as one projected volume
    /// per target directory, so updates reach running pods). A projected volume with a single source is exactly a
    /// plain <c>configMap</c>/<c>secret</c> volume with the same items and mode, so it is rewritten to that; a
    /// multi-source one cannot be expressed and fails the test.</item>
    /// <item>podman 4.3 does not do the kubelet's <c>$(VAR)</c> expansion of command, args and env values, in
    /// which <c>$$</c> stands for a literal <c>$</c> (Berth writes every Compose <c>$</c> as <c>$$</c> so Kubernetes
    /// leaves it alone). The harness applies that expansion itself, as the kubelet would; applying it twice is
    /// harmless here because the expanded strings contain no <c>$$</c> or <c>$(</c>.</item>
    /// <item>podman 4.3 dereferences a secret volume's <c>optional</c> without a nil check (it panics when absent);
    /// <c>optional: false</c> is the Kubernetes default, so setting it does not change the meaning.</item>
    /// </list>
    /// </summary>
    private static JsonObject ForPodman43(JsonObject manifest)
    {
        var copy = manifest.DeepClone().AsObject();
        foreach (var volume in (copy["spec"]?["template"]?["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (volume["projected"] is JsonObject projected)
            {
                var sources = (JsonArray)projected["sources"]!;
                Assert.True(sources.Count == 1, $"volume {volume["name"]}: podman 4.3 cannot play a projected volume with {sources.Count} sources");
                var (kind, source) = Assert.Single(sources[0]!.AsObject());
                var plain = source!.DeepClone().AsObject();
                if (projected["defaultMode"] is { } mode)
                {
                    plain["defaultMode"] = mode.DeepClone();
                }

                if (kind == "secret")
                {
                    // A projected secret source names its Secret with `name`, a secret volume with `secretName`.
                    plain["secretName"] = plain["name"]!.DeepClone();
                    plain.Remove("name");
                }

                volume.Remove("projected");
                volume[kind] = plain;
            }

            if (volume["secret"] is JsonObject secret && secret["optional"] is null)
            {
                secret["optional"] = false;
            }
        }

        foreach (var container in (copy["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Str(variable["value"]) is { } value)
                {
                    // Like the kubelet: an env value may refer to variables defined before it.
                    var expanded = KubeletExpand(value, env);
                    variable["value"] = expanded;
                    env[Str(variable["name"])!] = expanded;
                }
            }

            foreach (var field in new[] { "command", "args" })
            {
                if (container[field] is JsonArray items)
                {
                    container[field] = new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(KubeletExpand(Str(i)!, env)))]);
                }
            }
        }

        return copy;
    }

    /// <summary>Kubernetes' expansion (k8s.io/kubernetes third_party/forked/golang/expansion): <c>$$</c> → <c>$</c>, <c>$(NAME)</c> → its value when defined, anything else literal.</summary>
    private static string KubeletExpand(string input, IReadOnlyDictionary<string, string> env)
    {
        var result = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 == input.Length)
            {
                result.Append(input[i]);
            }
            else if (input[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (input[i + 1] == '(' && input.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = input[(i + 2)..close];
                result.Append(env.TryGetValue(name, out var value) ? value : input[i..(close + 1)]);
                i = close;
            }
            else
            {
                result.Append('$');
            }
        }

        return result.ToString();
    }

    private static void EnsurePodman()
    {
        try
        {
            Run("podman", ["image", "exists", Image], TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Assert.Fail($"podman or the test image {Image} is not available: run scripts/setup-podman.sh as root first ({e.Message})");
        }
    }

    private static string WaitForContainer(string deployment, string container)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var names = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            names = Run("podman", ["ps", "--format", "{{.Names}}"], TimeSpan.FromSeconds(20));
            var match = names.Split('\n').FirstOrDefault(n => n.StartsWith(deployment + "-pod", StringComparison.Ordinal) && n.EndsWith("-" + container, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }

            Thread.Sleep(500);
        }

        throw new InvalidOperationException($"no running container for deployment {deployment} / container {container}; running: {names}");
    }

    private static string Eventually(Func<string> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return action();
            }
            catch (InvalidOperationException) when (attempt < 40)
            {
                // httpd may not be listening yet right after the container starts.
                Thread.Sleep(250);
            }
        }
    }

    private static void TryRun(string file, string[] args)
    {
        try
        {
            Run(file, args, TimeSpan.FromMinutes(1));
        }
        catch (InvalidOperationException)
        {
            // Cleanup is best effort: the primary failure (if any) is what the test reports.
        }
    }

    private static string Run(string file, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} timed out");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        return stdout.Result;
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
