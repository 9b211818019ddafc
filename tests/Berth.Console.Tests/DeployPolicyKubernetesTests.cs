using System.Net;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// The console reads a Kubernetes namespace's Pod Security labels at review and deploy, without any
/// <c>--policy</c>, against the Kubernetes API test double (an in-process stand-in for kube-apiserver, not a cluster;
/// it stores the labels and enforces none of them): under <c>enforce=baseline</c> a privileged stack's review names
/// the label and the line, and a deploy posted anyway is refused with zero writes in the double; under
/// <c>warn=baseline</c> the review shows the warning and offers the deploy.
/// </summary>
public sealed class DeployPolicyKubernetesTests : IAsyncLifetime
{
    private const string Privileged = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n";

    private readonly string _stack = $"kp-{Guid.NewGuid():N}"[..16];
    private KubernetesConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
        => _console = await KubernetesConsole.StartAsync([("olga", ConsoleRole.Operator, [])], Ct);

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private void Label(string mode)
        => _console.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"pod-security.kubernetes.io/""" + mode + "\":\"baseline\"}}}");

    private async Task<HttpClient> SignedInAsync()
    {
        var client = _console.Server.Client();
        (await ConsoleServer.SignInAsync(client, "olga", ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    [Fact]
    public async Task EnforceLabel_DeniesAtReview_AndTheDeployIsRefused_WithNoWrite()
    {
        Label("enforce");
        using var client = await SignedInAsync();

        var (status, review) = await DeployForm.ReviewAsync(client, _stack, Privileged, Ct, orchestrator: "kubernetes", ns: KubernetesConsole.KubeconfigNamespace);

        Assert.Equal(HttpStatusCode.OK, status);
        var page = WebUtility.HtmlDecode(review);
        Assert.Contains("Policy: pod-security.kubernetes.io/enforce=baseline (version latest) of namespace 'shop' (enforce)", page, StringComparison.Ordinal);
        Assert.Contains("<td>compose.yaml, line 4</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"Deploy {_stack}", page, StringComparison.Ordinal);

        var writes = _console.Api.Writes;
        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, deploy.StatusCode);
        var detail = JsonDocument.Parse(await deploy.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("compose.yaml:4:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of pod-security.kubernetes.io/enforce=baseline (version latest) of namespace 'shop')", detail, StringComparison.Ordinal);
        Assert.Equal(writes, _console.Api.Writes);
        Assert.Empty(_console.Deployments(KubernetesConsole.KubeconfigNamespace, _stack));
    }

    [Fact]
    public async Task WarnLabel_ShowsTheWarning_AndOffersTheDeploy()
    {
        Label("warn");
        using var client = await SignedInAsync();

        var (status, review) = await DeployForm.ReviewAsync(client, _stack, Privileged, Ct, orchestrator: "kubernetes", ns: KubernetesConsole.KubeconfigNamespace);

        Assert.Equal(HttpStatusCode.OK, status);
        var page = WebUtility.HtmlDecode(review);
        Assert.Contains("Policy: pod-security.kubernetes.io/warn=baseline (version latest) of namespace 'shop' (warn)", page, StringComparison.Ordinal);
        Assert.Contains("1 warning(s): the stack may be deployed", page, StringComparison.Ordinal);
        Assert.Contains($"Deploy {_stack}", page, StringComparison.Ordinal);

        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        Assert.Equal(HttpStatusCode.Redirect, deploy.StatusCode);
        await Poll.UntilAsync(() => _console.Deployments(KubernetesConsole.KubeconfigNamespace, _stack).Count == 1, "the stack's Deployment", Ct);
    }
}
