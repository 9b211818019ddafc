using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>The simulated controllers and kubelet of the Kubernetes API test double, observed through KubernetesClient.</summary>
public sealed class ApiDoubleControllerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<KubernetesApiDouble> StartWithControllersAsync()
    {
        var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Controllers.Delay = TimeSpan.FromMilliseconds(5);
        api.Controllers.Enabled = true;
        return api;
    }

    /// <summary>Polls until the condition holds (the simulation is asynchronous); fails after 10 s.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(10, Ct);
        }
    }

    private static Task<V1Deployment> ApplyAsync(IKubernetes client, string json, string name = "web") =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(json, V1Patch.PatchType.ApplyPatch), name, "default", fieldManager: "berth", force: true, cancellationToken: Ct);

    private static Task<V1PodList> PodsAsync(IKubernetes client, string service = "web") =>
        client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"com.docker.service.name={service}", cancellationToken: Ct);

    [Fact]
    public async Task Deployment_gets_running_ready_pods_and_a_converged_status()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();

        var applied = await ApplyAsync(client, Deployment("web", replicas: 2));
        var deployment = await EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct),
            d => d.Status?.ReadyReplicas == 2, "the Deployment to be ready");
        var pods = await PodsAsync(client);
        var replicaSet = Assert.Single((await client.AppsV1.ListNamespacedReplicaSetAsync("default", cancellationToken: Ct)).Items);

        Assert.Equal(applied.Metadata.Generation, deployment.Status.ObservedGeneration);
        Assert.Equal((2, 2, 2), (deployment.Status.Replicas, deployment.Status.UpdatedReplicas, deployment.Status.AvailableReplicas));
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Available" && c.Status == "True");
        Assert.Equal(2, pods.Items.Count);
        var hash = replicaSet.Metadata.Labels["pod-template-hash"];
        Assert.StartsWith($"web-{hash}", replicaSet.Metadata.Name, StringComparison.Ordinal);
        Assert.All(pods.Items, pod =>
        {
            Assert.Matches($"^web-{hash}-[a-z0-9]{{5}}$", pod.Metadata.Name);
            Assert.Equal($"web-{hash}-", pod.Metadata.GenerateName);
            Assert.Equal("shop", pod.Metadata.Labels["com.docker.stack.namespace"]);
            Assert.Equal(hash, pod.Metadata.Labels["pod-template-hash"]);
            Assert.Equal(replicaSet.Metadata.Uid, Assert.Single(pod.Metadata.OwnerReferences).Uid);
            Assert.Equal("node-1", pod.Spec.NodeName);
            Assert.Equal("Running", pod.Status.Phase);
            Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
            var container = Assert.Single(pod.Status.ContainerStatuses);
            Assert.True(container.Ready);
            Assert.Equal(0, container.RestartCount);
            Assert.Equal("nginx:1.27", container.Image);
        });
        var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Equal("node-1", Assert.Single(nodes.Items).Metadata.Name);
    }

    [Fact]
    public async Task Template_change_replaces_the_pods_and_scaling_keeps_them()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("web", replicas: 1));
        var before = await EventuallyAsync(() => PodsAsync(client), p => p.Items.Count == 1, "the first pod");

        await ApplyAsync(client, Deployment("web", replicas: 1, image: "nginx:1.28"));
        var after = await EventuallyAsync(() => PodsAsync(client), p => p.Items.Count == 1 && p.Items[0].Spec.Containers[0].Image == "nginx:1.28", "the replacement pod");
        await ApplyAsync(client, Deployment("web", replicas: 2, image: "nginx:1.28"));
        var scaled = await EventuallyAsync(() => PodsAsync(client), p => p.Items.Count == 2, "the scaled pods");
        var deployment = await EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct),
            d => d.Status?.ObservedGeneration == 3 && d.Status.ReadyReplicas == 2, "the Deployment to converge");

        Assert.NotEqual(before.Items[0].Metadata.Name, after.Items[0].Metadata.Name);
        Assert.Contains(scaled.Items, p => p.Metadata.Name == after.Items[0].Metadata.Name);
        Assert.Equal(3, deployment.Metadata.Generation);
        Assert.Single((await client.AppsV1.ListNamespacedReplicaSetAsync("default", cancellationToken: Ct)).Items);
    }

    [Theory]
    [InlineData(PodProblem.ImagePullBackOff, "Pending", "ImagePullBackOff", "BackOff")]
    [InlineData(PodProblem.CrashLoopBackOff, "Running", "CrashLoopBackOff", "BackOff")]
    [InlineData(PodProblem.OOMKilled, "Running", "CrashLoopBackOff", "BackOff")]
    [InlineData(PodProblem.Unschedulable, "Pending", null, "FailedScheduling")]
    [InlineData(PodProblem.ReadinessProbeFailed, "Running", null, "Unhealthy")]
    public async Task FailPods_gives_the_service_pods_the_problem_and_the_workload_never_becomes_ready(PodProblem problem, string phase, string? waiting, string eventReason)
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        api.Controllers.FailPods("web", problem);

        await ApplyAsync(client, Deployment("web", replicas: 1, image: "nginx:bad"));
        await ApplyAsync(client, Deployment("db", replicas: 1, service: "db"), name: "db");
        var deployment = await EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct),
            d => d.Status?.ObservedGeneration == 1 && d.Status.Replicas == 1, "the Deployment status");
        await EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("db", "default", cancellationToken: Ct), d => d.Status?.ReadyReplicas == 1, "the healthy Deployment");
        var pod = Assert.Single((await PodsAsync(client)).Items);
        var events = await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod.Metadata.Name}", cancellationToken: Ct);

        Assert.Null(deployment.Status.ReadyReplicas);
        Assert.Equal(1, deployment.Status.UnavailableReplicas);
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Progressing" && c.Status == "True");
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Available" && c.Status == "False");
        Assert.Equal(phase, pod.Status.Phase);
        Assert.Contains(pod.Status.Conditions, c => c.Type is "Ready" or "PodScheduled" && c.Status == "False");
        var warning = Assert.Single(events.Items, e => e.Reason == eventReason);
        Assert.Equal(("Pod", pod.Metadata.Name), (warning.InvolvedObject.Kind, warning.InvolvedObject.Name));
        Assert.NotNull(warning.LastTimestamp);
        Assert.Equal(1, warning.Count);
        switch (problem)
        {
            case PodProblem.ImagePullBackOff:
                Assert.Equal("Back-off pulling image \"nginx:bad\"", pod.Status.ContainerStatuses[0].State.Waiting.Message);
                Assert.Contains(events.Items, e => e.Type == "Warning" && e.Reason == "Failed");
                break;
            case PodProblem.CrashLoopBackOff or PodProblem.OOMKilled:
                var container = pod.Status.ContainerStatuses[0];
                Assert.True(container.RestartCount > 0);
                Assert.Equal(problem == PodProblem.OOMKilled ? ("OOMKilled", 137) : ("Error", 1),
                    (container.LastState.Terminated.Reason, container.LastState.Terminated.ExitCode));
                Assert.Equal("Warning", warning.Type);
                break;
            case PodProblem.Unschedulable:
                Assert.Null(pod.Spec.NodeName);
                Assert.Null(pod.Status.ContainerStatuses);
                Assert.StartsWith("0/1 nodes are available: ", warning.Message, StringComparison.Ordinal);
                Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Reason == "Unschedulable");
                break;
            case PodProblem.ReadinessProbeFailed:
                Assert.False(pod.Status.ContainerStatuses[0].Ready);
                Assert.StartsWith("Readiness probe failed: ", warning.Message, StringComparison.Ordinal);
                break;
        }

        if (waiting is not null)
        {
            Assert.Equal(waiting, pod.Status.ContainerStatuses![0].State.Waiting.Reason);
        }
    }

    [Fact]
    public async Task ClearProblems_lets_the_pods_recover()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        api.Controllers.FailPods("web", PodProblem.CrashLoopBackOff);
        await ApplyAsync(client, Deployment("web"));
        await EventuallyAsync(() => PodsAsync(client), p => p.Items.Count == 1 && p.Items[0].Status?.ContainerStatuses?[0].State.Waiting is not null, "the crashing pod");

        api.Controllers.ClearProblems("web");

        await EventuallyAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.ReadyReplicas == 1, "the recovered Deployment");
    }

    [Fact]
    public async Task StatefulSet_DaemonSet_and_Job_get_pods_and_status()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        static string Template(string service) =>
            "{\"metadata\":{\"labels\":{\"com.docker.service.name\":\"" + service + "\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
        api.Seed("""{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},"spec":{"replicas":2,"serviceName":"db","selector":{"matchLabels":{"com.docker.service.name":"db"}},"template":"""
            + Template("db") + "}}");
        api.Seed("""{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"com.docker.service.name":"agent"}},"template":"""
            + Template("agent") + "}}");
        api.Seed("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate"},"spec":{"completions":1,"template":""" + Template("migrate") + "}}");

        var statefulSet = await EventuallyAsync(() => client.AppsV1.ReadNamespacedStatefulSetAsync("db", "default", cancellationToken: Ct), s => s.Status?.ReadyReplicas == 2, "the StatefulSet");
        var daemonSet = await EventuallyAsync(() => client.AppsV1.ReadNamespacedDaemonSetAsync("agent", "default", cancellationToken: Ct), d => d.Status?.NumberReady == 1, "the DaemonSet");
        var job = await EventuallyAsync(() => client.BatchV1.ReadNamespacedJobAsync("migrate", "default", cancellationToken: Ct), j => j.Status?.Succeeded == 1, "the Job");

        Assert.Equal(["db-0", "db-1"], (await PodsAsync(client, "db")).Items.Select(p => p.Metadata.Name));
        Assert.Equal(statefulSet.Status.CurrentRevision, statefulSet.Status.UpdateRevision);
        Assert.Equal((1, 1, 1), (daemonSet.Status.DesiredNumberScheduled, daemonSet.Status.UpdatedNumberScheduled, daemonSet.Status.NumberAvailable));
        Assert.Equal("Succeeded", Assert.Single((await PodsAsync(client, "migrate")).Items).Status.Phase);
        Assert.Contains(job.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        Assert.NotNull(job.Status.CompletionTime);
    }

    [Fact]
    public async Task Deleting_a_workload_deletes_its_pods()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("web", replicas: 2));
        await EventuallyAsync(() => PodsAsync(client), p => p.Items.Count == 2, "the pods");

        await client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default", cancellationToken: Ct);

        Assert.Empty((await PodsAsync(client)).Items);
        Assert.Empty((await client.AppsV1.ListNamespacedReplicaSetAsync("default", cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task Controllers_are_off_by_default()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Controllers.Delay = TimeSpan.Zero;

        await ApplyAsync(client, Deployment("web"));
        await Task.Delay(50, Ct);

        Assert.Empty((await PodsAsync(client)).Items);
        Assert.Null((await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task WaitUntilIdleAsync_returns_once_the_simulation_has_reacted()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();

        await ApplyAsync(client, Deployment("web", replicas: 3));
        await api.Controllers.WaitUntilIdleAsync(Ct);

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct);
        Assert.Equal(3, deployment.Status?.ReadyReplicas);
    }

    [Fact]
    public async Task Pod_log_answers_like_the_kubelet()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        api.Controllers.FailPods("web", PodProblem.CrashLoopBackOff);
        api.Controllers.FailPods("db", PodProblem.ImagePullBackOff);
        await ApplyAsync(client, Deployment("web"));
        await ApplyAsync(client, Deployment("db", service: "db"), name: "db");
        await api.Controllers.WaitUntilIdleAsync(Ct);
        var crashing = Assert.Single((await PodsAsync(client)).Items).Metadata.Name;
        var pulling = Assert.Single((await PodsAsync(client, "db")).Items).Metadata.Name;

        using var log = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(crashing, "default", container: "web", cancellationToken: Ct));
        var text = await log.ReadToEndAsync(Ct);
        var (code, status) = await Refused(() => client.CoreV1.ReadNamespacedPodLogAsync(pulling, "default", cancellationToken: Ct));

        Assert.Contains("simulated crash", text, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, code);
        Assert.Equal($"container \"db\" in pod \"{pulling}\" is waiting to start: trying and failing to pull image", status["message"]!.ToString());
    }

    [Fact]
    public async Task Pod_log_serves_appended_lines_with_timestamps_tail_and_follow_until_the_pod_is_deleted()
    {
        await using var api = await StartWithControllersAsync();
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("web"));
        await api.Controllers.WaitUntilIdleAsync(Ct);
        var pod = Assert.Single((await PodsAsync(client)).Items).Metadata.Name;
        api.AppendPodLog("default", pod, "web", "one");
        api.AppendPodLog("default", pod, "web", "two");

        using var plain = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod, "default", container: "web", cancellationToken: Ct));
        Assert.Equal("one\ntwo\n", await plain.ReadToEndAsync(Ct));
        using var stamped = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod, "default", container: "web", tailLines: 1, timestamps: true, cancellationToken: Ct));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two\n$", await stamped.ReadToEndAsync(Ct));

        // Follow: later lines arrive on the open response, which ends when the pod is deleted.
        using var follow = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync(pod, "default", container: "web", follow: true, tailLines: 0, cancellationToken: Ct));
        api.AppendPodLog("default", pod, "web", "three");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        Assert.Equal("three", await follow.ReadLineAsync(timeout.Token));
        api.Delete("pods", "default", pod);
        Assert.Null(await follow.ReadLineAsync(timeout.Token));
    }

    [Fact]
    public async Task StartPodsOneAtATime_makes_readiness_climb_one_pod_per_pass()
    {
        await using var api = await StartWithControllersAsync();
        api.Controllers.StartPodsOneAtATime = true;
        using var client = api.CreateClient();
        var from = api.ResourceVersion;
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", api.Token);
        using var watch = await http.GetAsync(new Uri($"apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion={from}", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, Ct);
        using var lines = new StreamReader(await watch.Content.ReadAsStreamAsync(Ct));

        await ApplyAsync(client, Deployment("web", replicas: 3));
        var seen = new List<int>();
        while (seen.LastOrDefault() < 3)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var change = Json((await lines.ReadLineAsync(timeout.Token))!);
            var ready = change["object"]!["status"]?["readyReplicas"]?.GetValue<int>() ?? 0;
            if (change["object"]!["status"] is not null && (seen.Count == 0 || seen[^1] != ready))
            {
                seen.Add(ready);
            }
        }

        var events = await client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
        Assert.Equal([1, 2, 3], seen.SkipWhile(r => r == 0));
        Assert.Equal(3, events.Items.Count(e => e.Reason == "Scheduled"));
    }
}
