using System.Globalization;
using System.Text;
using Berth.Compose.Loading;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Events;

namespace Berth.Bench;

/// <summary>
/// Counts the API requests of a Kubernetes deploy (detached) of a generated N-service stack against the in-process
/// API test double (not a cluster): first deploy, unchanged redeploy, one service's image changed. Counts, not times:
/// they do not depend on the machine.
/// </summary>
public static class KubernetesRequestCounts
{
    public static async Task RunAsync(int services)
    {
        var dir = Directory.CreateTempSubdirectory("berth-k8s-requests-").FullName;
        await using var api = await KubernetesApiDouble.StartAsync().ConfigureAwait(false);
        using var client = api.CreateClient();
        var deployer = new KubernetesDeployer(client, "bench", StackEventSink.None);
        var options = new KubernetesDeployOptions { Detach = true };
        Console.WriteLine($"{services}-service stack, detached deploy to the in-process API test double (namespace bench)");
        Console.WriteLine($"{"scenario",-24} {"objects",7} {"writes",7} {"reads",6} {"total",6}  by verb");
        foreach (var (scenario, tag) in new[] { ("first deploy", "1"), ("unchanged redeploy", "1"), ("one-service change", "2") })
        {
            var plan = Convert(dir, services, tag);
            api.ClearRequests();
            var result = await deployer.DeployAsync("bench", plan, options, CancellationToken.None).ConfigureAwait(false);
            var requests = api.Requests;
            var verbs = string.Join(" ", requests.GroupBy(r => r.Verb).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
            Console.WriteLine($"{scenario,-24} {plan.Objects.Length,7} {api.Writes,7} {api.Reads,6} {requests.Count,6}  {verbs}  (created {result.Created.Length}, updated {result.Updated.Length}, unchanged {result.Unchanged.Length})");
        }
    }

    /// <summary>N services with published ports and environment; every fifth uses a shared secret and config; the image tag of svc00 is <paramref name="tag"/>.</summary>
    private static KubernetesPlan Convert(string dir, int services, string tag)
    {
        var sb = new StringBuilder("services:\n");
        for (var i = 0; i < services; i++)
        {
            var s = i.ToString("00", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"  svc{s}:\n    image: registry.example/app{s}:{(i == 0 ? tag : "1")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    ports: [\"{10000 + i}:80\"]\n    environment: {{MODE: production, INDEX: \"{i}\"}}\n    deploy: {{replicas: 2}}\n");
            if (i % 5 == 0)
            {
                sb.Append("    secrets: [api-key]\n    configs: [{source: settings, target: /etc/app/settings.json}]\n");
            }
        }

        sb.Append("secrets:\n  api-key:\n    file: ./api-key.txt\nconfigs:\n  settings:\n    content: '{\"level\": \"info\"}'\n");
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), sb.ToString());
        File.WriteAllText(Path.Combine(dir, "api-key.txt"), "key");
        var loaded = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = "bench" });
        if (!loaded.Succeeded)
        {
            throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics));
        }

        return KubernetesConverter.Convert(loaded.Project!, new KubernetesConvertOptions { Namespace = "bench", StackName = "bench", FileContents = ResourceContentReader.Read(loaded.Project!) });
    }
}
