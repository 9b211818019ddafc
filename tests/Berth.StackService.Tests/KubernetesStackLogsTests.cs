using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;

namespace Berth.StackService.Tests;

/// <summary>
/// <see cref="IStackService.LogsAsync"/> on Kubernetes against the API double: every pod's container log merged in
/// time order (one pod LIST and one log GET per container), and follow picking up a pod that appears later.
/// </summary>
public sealed class KubernetesStackLogsTests : KubernetesLayerTest
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            deploy: {replicas: 2}
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    [Fact]
    public async Task Logs_MergesEveryPodInTimeOrder_AndFollowPicksUpANewPod()
    {
        var ct = TestContext.Current.CancellationToken;
        Double.Controllers.Enabled = true;
        var deployed = await Service.DeployAsync(new StackDeployRequest("demo", Projects.Load("demo", Compose)) { Timeout = TimeSpan.FromSeconds(60) }, new RecordingSink(), ct);
        Assert.True(deployed.Converged, string.Join('\n', deployed.Failures));
        var pods = Double.List("pods", "shop").Select(p => ((string)p["metadata"]!["name"]!, (string)p["metadata"]!["labels"]!["com.docker.service.name"]!)).OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
        var web = pods.Where(p => p.Item2 == "web").Select(p => p.Item1).ToList();
        var worker = Assert.Single(pods, p => p.Item2 == "worker").Item1;
        Assert.Equal(2, web.Count);
        Double.AppendPodLog("shop", web[0], "web", "first");
        await Task.Delay(5, ct);
        Double.AppendPodLog("shop", worker, "worker", "second");
        await Task.Delay(5, ct);
        Double.AppendPodLog("shop", web[1], "web", "third");
        Double.ClearRequests();

        var lines = new List<StackLogLine>();
        await foreach (var line in Service.LogsAsync("demo", new StackLogOptions(), ct))
        {
            lines.Add(line);
        }

        Assert.Equal(["first", "second", "third"], lines.Select(l => l.Message));
        Assert.Equal(("web", web[0][(web[0].LastIndexOf('-') + 1)..]), (lines[0].Service, lines[0].Replica));
        Assert.Equal("worker", lines[1].Service);
        Assert.Equal(1, Double.Requests.Count(r => r is { Verb: "list", Resource: "pods" }));
        var logGets = Double.Requests.Where(r => r.Subresource == "log").ToList();
        Assert.Equal(3, logGets.Count);
        Assert.All(logGets, r => Assert.Contains("timestamps=true", r.Query, StringComparison.Ordinal));

        var tailed = new List<StackLogLine>();
        await foreach (var line in Service.LogsAsync("demo", new StackLogOptions { Services = ["web"], Tail = 1 }, ct))
        {
            tailed.Add(line);
        }

        Assert.Equal(["first", "third"], tailed.Select(l => l.Message));

        // Follow: a pod that appears later (scaled up) is followed too.
        using var follow = CancellationTokenSource.CreateLinkedTokenSource(ct);
        follow.CancelAfter(TimeSpan.FromSeconds(30));
        var followed = new List<StackLogLine>();
        var reading = Task.Run(async () =>
        {
            await foreach (var line in Service.LogsAsync("demo", new StackLogOptions { Services = ["web"], Follow = true, Tail = 0 }, follow.Token))
            {
                followed.Add(line);
                if (line.Message == "from the new pod")
                {
                    await follow.CancelAsync();
                }
            }
        }, ct);

        // Tail 0 sends only lines appended after a pod's log GET: wait until both web pods are being followed before
        // appending to one of them.
        var followDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!web.All(pod => Double.Requests.Any(r => r.Subresource == "log" && r.Name == pod && r.Query.Contains("follow=true", StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < followDeadline, "the web pods' logs were never followed");
            await Task.Delay(100, ct);
        }

        var scaled = await Service.ScaleAsync("demo", [new("web", 3)], new StackScaleOptions { Timeout = TimeSpan.FromSeconds(30) }, new RecordingSink(), ct);
        Assert.True(scaled.Converged);
        var added = Assert.Single(Double.List("pods", "shop").Select(p => (string)p["metadata"]!["name"]!), n => n.StartsWith("web", StringComparison.Ordinal) && !web.Contains(n));
        Double.AppendPodLog("shop", web[0], "web", "from an old pod");

        // The new pod is picked up by the next pod LIST (every second): append only once its log is being read.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!Double.Requests.Any(r => r.Subresource == "log" && r.Name == added))
        {
            Assert.True(DateTime.UtcNow < deadline, "the new pod's log was never requested");
            await Task.Delay(100, ct);
        }

        Double.AppendPodLog("shop", added, "web", "from the new pod");
        await reading;
        Assert.Equal(["from an old pod", "from the new pod"], followed.Select(l => l.Message));
    }
}
