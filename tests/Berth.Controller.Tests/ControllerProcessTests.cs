using System.Net;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>
/// The berth-controller executable as a process: its command line, and leader election, health, metrics and
/// shutdown against the documented Kubernetes API test double (tests/Berth.Kubernetes.ApiDouble) standing in for
/// kube-apiserver — not a cluster. A 20 s lease (renew deadline 15 s, retry period 0.3 s), so that a freshly started
/// process on a loaded machine does not lose it by a late renewal; hand-overs here come from a release, not expiry.
/// Only the test of a failed renewal uses a short lease.
/// </summary>
public sealed class ControllerProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("berth-controller-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_the_flags()
    {
        var (code, output) = await ControllerProcess.RunAsync(["--help"], Ct);

        Assert.Equal(0, code);
        foreach (var flag in new[] { "--kubeconfig", "--namespace", "--workers", "--resync-period", "--leader-elect", "--leader-elect-lease-duration", "--leader-elect-renew-deadline", "--leader-elect-retry-period", "--leader-elect-resource-namespace", "--leader-elect-resource-name", "--health-bind-address" })
        {
            Assert.Contains(flag, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--bogus", "", "--bogus")]
    [InlineData("--leader-elect-lease-duration", "soon", "--leader-elect-lease-duration \"soon\": not a duration")]
    [InlineData("--workers", "0", "--workers 0: must be at least 1")]
    [InlineData("--workers", "many", "--workers")]
    [InlineData("--leader-elect-renew-deadline", "20s", "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline")]
    [InlineData("--health-bind-address", "localhost", "--health-bind-address localhost: expected IP:port")]
    [InlineData("--resync-period", "-1m", "--resync-period \"-1m\": must not be negative")]
    public async Task A_bad_flag_or_value_exits_2_naming_the_flag(string flag, string value, string expected)
    {
        string[] args = value.Length == 0 ? [flag] : [flag, value];

        var (code, output) = await ControllerProcess.RunAsync(args, Ct);

        Assert.Equal(2, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("berth-controller: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_controller_leads_serves_health_and_metrics_and_releases_the_lease_on_sigterm()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        var leader = await StartLeaderAsync(api);
        using var controller = leader.Controller;
        var port = leader.Port;
        // The stack controller starts once the Lease is held, so its discovery request may still be on its way.
        await UntilAsync(() => Task.FromResult(AskedDiscovery(api)), "the stack controller to ask discovery", [controller]);
        var health = await GetAsync(port, "/healthz");
        var ready = await GetAsync(port, "/readyz");
        var holder = LeaseCandidate.Lease(api)!["spec"]!["holderIdentity"]!.ToString();
        controller.Terminate();
        var code = await controller.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);
        var released = LeaseCandidate.Lease(api)!["spec"]!;

        Assert.Equal((HttpStatusCode.OK, "ok"), health);
        // A bare double serves no compose.docker.com (no berth-apiserver behind it, no CRD): the stack controller asks
        // discovery which mode serves stacks, is answered 404, waits, and is not ready — as on a cluster where the Stack API is not installed.
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "the stack controller has not synced yet"), ready);
        Assert.StartsWith(System.Net.Dns.GetHostName() + "_", holder, StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, released["holderIdentity"]!.ToString());
        Assert.Equal(1, released["leaseDurationSeconds"]!.GetValue<int>());
        Assert.Contains("became leader", controller.Output, StringComparison.Ordinal);
        Assert.Contains("stopping: received SIGTERM", controller.Output, StringComparison.Ordinal);
        Assert.Contains("released lease berth-system/berth-controller", controller.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_leader_election_the_controller_runs_at_once_takes_no_lease_and_exits_0_on_sigterm()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        var (started, port) = await StartServingAsync(p => [.. Args(api, p), "--leader-elect=false"]);
        using var controller = started;

        await UntilAsync(async () => (await MasterStatusOrNullAsync(port)).Served, "the health server", [controller]);
        await UntilAsync(() => Task.FromResult(AskedDiscovery(api)), "the stack controller to ask discovery", [controller]);
        var ready = await GetAsync(port, "/readyz");
        var (_, status) = await MasterStatusOrNullAsync(port);
        controller.Terminate();
        var code = await controller.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);

        // A bare double serves no compose.docker.com (no berth-apiserver behind it, no CRD): the stack controller asks
        // discovery which mode serves stacks, is answered 404, waits, and is not ready — as on a cluster where the Stack API is not installed.
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "the stack controller has not synced yet"), ready);
        Assert.Null(status);
        Assert.Equal(0, code);
        Assert.DoesNotContain(api.Requests, r => r.Resource == "leases.coordination.k8s.io");
        Assert.Contains("--leader-elect=false: running without a Lease", controller.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_lease_namespace_the_controller_says_so_and_leads_once_it_exists()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        var (started, port) = await StartServingAsync(p => Args(api, p));
        using var controller = started;

        await UntilAsync(() => Task.FromResult(controller.Output.Contains("namespaces \"berth-system\" not found", StringComparison.Ordinal)), "the missing namespace to be named", [controller]);
        var statusWithout = await MasterStatusAsync(port);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        await UntilAsync(async () => await MasterStatusAsync(port) == "1", "the controller to lead", [controller]);

        Assert.Equal("0", statusWithout);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(port, "/healthz")).Code);
    }

    [Fact]
    public async Task The_controller_exits_1_when_it_cannot_renew_the_lease()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        var leader = await StartLeaderAsync(api, ShortLease);
        using var controller = leader.Controller;

        api.Deny("update", "leases.coordination.k8s.io", LeaseCandidate.LeaseNamespace);
        var code = await controller.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(1, code);
        Assert.Contains("lost leadership: failed to renew lease berth-system/berth-controller", controller.Output, StringComparison.Ordinal);
        Assert.Contains("leaderelection lost", controller.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_controller_processes_elect_one_leader_and_the_other_takes_over_when_it_stops()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        var (firstStarted, firstPort) = await StartServingAsync(p => Args(api, p));
        using var first = firstStarted;
        var (secondStarted, secondPort) = await StartServingAsync(p => Args(api, p));
        using var second = secondStarted;
        var ports = new[] { firstPort, secondPort };
        ControllerProcess[] processes = [first, second];

        await UntilAsync(async () => (await Task.WhenAll(ports.Select(p => MasterStatusAsync(p)))).Order().SequenceEqual(["0", "1"]), "one leader and one follower", processes);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var statuses = await Task.WhenAll(ports.Select(p => MasterStatusAsync(p)));
        var leader = Array.IndexOf(statuses, "1");
        var follower = 1 - leader;
        var followerReady = await GetAsync(ports[follower], "/readyz");
        var followerHealth = await GetAsync(ports[follower], "/healthz");
        processes[leader].Terminate();
        var code = await processes[leader].WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);
        // Within half the lease: taken over after the release, not after expiry.
        await UntilAsync(async () => await MasterStatusAsync(ports[follower]) == "1", "the follower to lead", [processes[follower]], TimeSpan.FromSeconds(10));

        Assert.Equal(["0", "1"], statuses.Order());
        Assert.Equal(HttpStatusCode.OK, followerReady.Code);
        Assert.StartsWith("ok: standing by, ", followerReady.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, followerHealth.Code);
        Assert.Equal(0, code);
        Assert.Equal(1, LeaseCandidate.Lease(api)!["spec"]!["leaseTransitions"]!.GetValue<int>());
        Assert.Contains("new leader elected", processes[follower].Output, StringComparison.Ordinal);
    }

    /// <summary>Whether the stack controller has asked discovery for compose.docker.com/v1beta1 and been answered 404.</summary>
    private static bool AskedDiscovery(KubernetesApiDouble api) =>
        api.Requests.Any(r => r.Path.EndsWith("/apis/compose.docker.com/v1beta1", StringComparison.Ordinal) && r.StatusCode == 404);

    /// <summary>One controller process that has taken the Lease (its namespace created first).</summary>
    private async Task<(ControllerProcess Controller, int Port)> StartLeaderAsync(KubernetesApiDouble api, string[]? lease = null)
    {
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        var (controller, port) = await StartServingAsync(p => Args(api, p, lease));
        try
        {
            await UntilAsync(async () => await MasterStatusAsync(port) == "1", "the controller to lead", [controller]);
            return (controller, port);
        }
        catch
        {
            controller.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A controller process whose health server answers. The port was free when picked, but an outgoing connection
    /// elsewhere on the machine can take it before the process binds it (it failed once so in CI): then a new port.
    /// </summary>
    private async Task<(ControllerProcess Controller, int Port)> StartServingAsync(Func<int, string[]> args)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Loopback();
            var controller = ControllerProcess.Start(args(port));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!controller.HasExited && !await AnswersAsync(port))
            {
                if (DateTime.UtcNow > deadline)
                {
                    controller.Dispose();
                    Assert.Fail($"the health server on port {port} did not answer within 30 s; output:\n{controller.Output}");
                }

                await Task.Delay(100, Ct);
            }

            if (!controller.HasExited)
            {
                return (controller, port);
            }

            var output = controller.Output;
            controller.Dispose();
            Assert.True(attempt < 3 && output.Contains("address already in use", StringComparison.Ordinal), $"the controller exited on start; output:\n{output}");
        }
    }

    private async Task<bool> AnswersAsync(int port)
    {
        try
        {
            await GetAsync(port, "/healthz");
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Lease 2 s, renew deadline 1.5 s: a failed renewal ends leadership within seconds.</summary>
    private static readonly string[] ShortLease = ["--leader-elect-lease-duration", "2s", "--leader-elect-renew-deadline", "1.5s"];

    private static readonly string[] LongLease = ["--leader-elect-lease-duration", "20s", "--leader-elect-renew-deadline", "15s"];

    private string[] Args(KubernetesApiDouble api, int port, string[]? lease = null)
    {
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        if (!File.Exists(kubeconfig))
        {
            api.WriteKubeconfig(kubeconfig);
        }

        return ["--kubeconfig", kubeconfig, "--health-bind-address", $"127.0.0.1:{port}", .. lease ?? LongLease, "--leader-elect-retry-period", "300ms"];
    }

    private async Task<(HttpStatusCode Code, string Body)> GetAsync(int port, string path)
    {
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), Ct);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync(Ct)).Trim());
    }

    /// <summary>The leader_election_master_status value served, or null while the server does not answer.</summary>
    private async Task<string?> MasterStatusAsync(int port)
    {
        try
        {
            var (_, metrics) = await GetAsync(port, "/metrics");
            const string Series = "leader_election_master_status{name=\"berth-controller\"} ";
            return metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Series, StringComparison.Ordinal))?[Series.Length..].Trim();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<(bool Served, string? Status)> MasterStatusOrNullAsync(int port)
    {
        try
        {
            var (code, _) = await GetAsync(port, "/healthz");
            return (code == HttpStatusCode.OK, await MasterStatusAsync(port));
        }
        catch (HttpRequestException)
        {
            return (false, null);
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, ControllerProcess[] processes, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline || processes.Any(p => p.HasExited))
            {
                Assert.Fail($"waiting for {what}: {(processes.Any(p => p.HasExited) ? "a controller exited" : "timed out")}; output:\n{string.Join("\n---\n", processes.Select(p => p.Output))}");
            }

            await Task.Delay(100, Ct);
        }
    }
}
