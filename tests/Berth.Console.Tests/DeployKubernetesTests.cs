using System.Net;
using System.Text.RegularExpressions;
using Berth.Console.Accounts;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// The console on Kubernetes, through its form endpoints, against the Kubernetes API test double (an in-process
/// stand-in for kube-apiserver, not a cluster; its simulated controllers make pods ready or fail them): the create
/// form offers the cluster's namespaces as the account may see them; a stack deployed to a chosen namespace
/// converges, is listed with its orchestrator and namespace, shows its services and pods, is scaled and removed; a
/// service whose pods cannot pull their image ends the deploy with ImagePullBackOff, shown on the deploy and stack
/// pages; a viewer's deploy is refused with 403.
/// </summary>
public sealed partial class DeployKubernetesTests : IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            deploy: {replicas: 1}
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    private readonly string _stack = $"kd-{Guid.NewGuid():N}"[..16];
    private KubernetesConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsoleServer Server => _console.Server;

    private string StackPath => $"/stacks/kubernetes/{KubernetesConsole.OtherNamespace}/{_stack}";

    public async ValueTask InitializeAsync()
    {
        _console = await KubernetesConsole.StartAsync(
            [("olga", ConsoleRole.Operator, []), ("nina", ConsoleRole.Operator, [KubernetesConsole.OtherNamespace]), ("vera", ConsoleRole.Viewer, [])],
            Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private async Task<HttpClient> SignedInAsync(string name)
    {
        var client = Server.Client();
        (await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    /// <summary>The namespace select's options, and which one is selected.</summary>
    private static (List<string> Options, string? Selected) NamespaceOptions(string page)
    {
        var select = NamespaceSelect().Match(page);
        Assert.True(select.Success, $"no namespace select on the page:\n{page}");
        var options = Option().Matches(select.Groups[1].Value).ToList();
        return ([.. options.Select(o => o.Groups[1].Value)], options.FirstOrDefault(o => o.Groups[2].Success)?.Groups[1].Value);
    }

    /// <summary>Reviews and deploys the stack to <c>team-b</c> as olga; answers the deploy's events up to "done".</summary>
    private async Task<List<System.Text.Json.JsonElement>> DeployAsync(HttpClient client, string compose)
    {
        var (status, review) = await DeployForm.ReviewAsync(client, _stack, compose, Ct, orchestrator: "kubernetes", ns: KubernetesConsole.OtherNamespace);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"Review: {_stack} on Kubernetes, namespace {KubernetesConsole.OtherNamespace}", review, StringComparison.Ordinal);
        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        Assert.Equal(HttpStatusCode.Redirect, deploy.StatusCode);
        Assert.Equal(StackPath + "/deploy", deploy.Headers.Location?.OriginalString);
        return await DeployForm.EventsUntilDoneAsync(client, StackPath, TimeSpan.FromMinutes(3), Ct);
    }

    [Fact]
    public async Task TheCreateForm_OffersTheClustersNamespaces_AsTheAccountMaySee_AndATextFieldWhenTheyCannotBeListed()
    {
        using var olga = await SignedInAsync("olga");
        using var nina = await SignedInAsync("nina");

        var all = NamespaceOptions(await olga.GetStringAsync("/stacks/new", Ct));
        var limited = NamespaceOptions(await nina.GetStringAsync("/stacks/new", Ct));
        _console.Api.Deny("list", "namespaces");
        var refused = await olga.GetStringAsync("/stacks/new", Ct);

        Assert.Equal(["default", KubernetesConsole.KubeconfigNamespace, KubernetesConsole.OtherNamespace], all.Options);
        Assert.Equal(KubernetesConsole.KubeconfigNamespace, all.Selected);
        Assert.Equal([KubernetesConsole.OtherNamespace], limited.Options);
        Assert.Contains("<option value=\"kubernetes\">Kubernetes</option>", refused, StringComparison.Ordinal);
        Assert.DoesNotMatch(NamespaceSelect(), refused);
        Assert.Contains("<input id=\"namespace\" name=\"namespace\"", refused, StringComparison.Ordinal);
        Assert.Contains("The cluster&#x27;s list could not be read", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStack_DeploysToTheChosenNamespace_Converges_IsListed_ShowsItsPods_IsScaled_AndRemoved()
    {
        using var client = await SignedInAsync("olga");

        var events = await DeployAsync(client, Compose);

        var done = events[^1];
        Assert.True(done.GetProperty("converged").GetBoolean(), done.ToString());
        Assert.Equal(["web", "worker"], done.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(["web", "worker"], _console.Deployments(KubernetesConsole.OtherNamespace, _stack));
        Assert.Empty(_console.Deployments(KubernetesConsole.KubeconfigNamespace, _stack));
        Assert.Contains(await Server.Store.ReadAuditAsync(10, Ct), e => e is { Actor: "olga", Action: "stack.deploy", Result: "ok" } && e.Target == StackPath);

        var list = await client.GetStringAsync("/stacks", Ct);
        Assert.Matches($@"<td><a href=""{Regex.Escape(StackPath)}"">{_stack}</a></td>\s*<td>Kubernetes</td>\s*<td>{KubernetesConsole.OtherNamespace}</td>\s*<td>2</td>", list);

        var pods = _console.Api.List("pods", KubernetesConsole.OtherNamespace).Select(p => p["metadata"]!["name"]!.ToString()).ToList();
        Assert.Equal(2, pods.Count);
        var page = await client.GetStringAsync(StackPath, Ct);
        Assert.Contains("Replicas of web", page, StringComparison.Ordinal);
        Assert.Contains("Replicas of worker", page, StringComparison.Ordinal);
        Assert.All(pods, pod => Assert.Contains(pod, page, StringComparison.Ordinal));

        var token = await ConsoleServer.FormTokenAsync(client, StackPath, Ct);
        using var scaled = await client.PostAsync(StackPath + "/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["service"] = "web", ["replicas"] = "3" }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, scaled.StatusCode);
        Assert.Contains("Scaled web from 1 to 3.", await client.GetStringAsync(scaled.Headers.Location, Ct), StringComparison.Ordinal);
        Assert.Equal(3, _console.Replicas(KubernetesConsole.OtherNamespace, "web"));
        await Poll.UntilAsync(() => _console.Api.List("pods", KubernetesConsole.OtherNamespace).Count == 4, "three web pods and one worker pod", Ct, TimeSpan.FromSeconds(60));

        var removeToken = await ConsoleServer.FormTokenAsync(client, StackPath + "/remove", Ct);
        using var wrong = await client.PostAsync(StackPath + "/remove", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = removeToken, ["confirm"] = "web" }), Ct);
        Assert.Equal(["web", "worker"], _console.Deployments(KubernetesConsole.OtherNamespace, _stack));
        using var removed = await client.PostAsync(StackPath + "/remove", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = removeToken, ["confirm"] = _stack }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("/stacks", removed.Headers.Location?.OriginalString);
        Assert.Empty(_console.Deployments(KubernetesConsole.OtherNamespace, _stack));
        using var gone = await client.GetAsync(StackPath, Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task AServiceWhosePodsCannotPullTheirImage_EndsTheDeployWithImagePullBackOff_OnTheDeployAndStackPages()
    {
        using var client = await SignedInAsync("olga");
        _console.Api.Controllers.FailPods("web", PodProblem.ImagePullBackOff);

        var events = await DeployAsync(client, Compose);

        var done = events[^1];
        Assert.False(done.GetProperty("converged").GetBoolean(), done.ToString());
        var failures = done.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(failures, f => f.StartsWith("web", StringComparison.Ordinal) && f.Contains("ImagePullBackOff", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("worker", StringComparison.Ordinal));
        var deployPage = await client.GetStringAsync(StackPath + "/deploy", Ct);
        Assert.Matches(@"<li>web[^<]*ImagePullBackOff[^<]*</li>", deployPage);
        var stackPage = await client.GetStringAsync(StackPath, Ct);
        Assert.Contains("ImagePullBackOff", stackPage, StringComparison.Ordinal);
        Assert.Contains(await Server.Store.ReadAuditAsync(10, Ct), e => e is { Action: "stack.deploy", Result: "failed" } && e.Target == StackPath && e.Detail.Contains("ImagePullBackOff", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANamespaceLeftEmpty_IsTheKubeconfigs_InTheReviewTheDeployAndTheStacksAddress()
    {
        using var client = await SignedInAsync("olga");
        var shopPath = $"/stacks/kubernetes/{KubernetesConsole.KubeconfigNamespace}/{_stack}";

        var (status, review) = await DeployForm.ReviewAsync(client, _stack, Compose, Ct, orchestrator: "kubernetes", ns: string.Empty);
        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        var events = await DeployForm.EventsUntilDoneAsync(client, shopPath, TimeSpan.FromMinutes(3), Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"Review: {_stack} on Kubernetes, namespace {KubernetesConsole.KubeconfigNamespace}", review, StringComparison.Ordinal);
        Assert.Equal(shopPath + "/deploy", deploy.Headers.Location?.OriginalString);
        Assert.True(events[^1].GetProperty("converged").GetBoolean(), events[^1].ToString());
        Assert.Equal(["web", "worker"], _console.Deployments(KubernetesConsole.KubeconfigNamespace, _stack));
        using var page = await client.GetAsync(shopPath, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task AViewer_DeployingToKubernetes_IsRefusedWith403_AndNothingIsWritten()
    {
        using var olga = await SignedInAsync("olga");
        using var vera = await SignedInAsync("vera");
        var (_, review) = await DeployForm.ReviewAsync(olga, _stack, Compose, Ct, orchestrator: "kubernetes", ns: KubernetesConsole.OtherNamespace);
        var writes = _console.Api.Writes;

        var token = await ConsoleServer.FormTokenAsync(vera, "/stacks", Ct);
        using var refused = await vera.PostAsync("/stacks/deploy", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["draft"] = DeployForm.DraftOf(review) }), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(writes, _console.Api.Writes);
        Assert.Empty(_console.Deployments(KubernetesConsole.OtherNamespace, _stack));
        Assert.Contains(await Server.Store.ReadAuditAsync(10, Ct), e => e is { Actor: "vera", Action: "stack.deploy", Result: "refused" });
    }

    [GeneratedRegex("<select id=\"namespace\" name=\"namespace\"[^>]*>(.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex NamespaceSelect();

    [GeneratedRegex("<option value=\"([^\"]+)\"( selected[^>]*)?>")]
    private static partial Regex Option();
}
