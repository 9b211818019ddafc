using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Berth.Kubernetes.Access;
using k8s.Autorest;

namespace Berth.Kubernetes.Tests.Access;

/// <summary>Explain: failed requests become one line naming the server, the settings' source and what was refused.</summary>
public sealed class ErrorTranslationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-explain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Explain_Forbidden_NamesVerbResourceAndNamespace()
    {
        using var cluster = Cluster();
        var body = """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"deployments.apps \"web\" is forbidden: User \"alice\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"","reason":"Forbidden","code":403}""";

        var error = cluster.Explain(Http(HttpStatusCode.Forbidden, body))!;

        Assert.StartsWith("forbidden: cannot patch deployments.apps in namespace \"shop\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("RBAC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Role", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ForbiddenCoreResource_HasNoGroupSuffix()
    {
        using var cluster = Cluster();
        var body = """{"kind":"Status","message":"secrets is forbidden: User \"bob\" cannot list resource \"secrets\" in API group \"\" in the namespace \"shop\"","code":403}""";

        var error = cluster.Explain(Http(HttpStatusCode.Forbidden, body))!;

        Assert.StartsWith("forbidden: cannot list secrets in namespace \"shop\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Unauthorized_NamesUserAndContextButNoToken()
    {
        using var cluster = Cluster();

        var error = cluster.Explain(Http(HttpStatusCode.Unauthorized, """{"kind":"Status","message":"Unauthorized","code":401}"""))!;

        Assert.Contains("refused the credentials of user \"dev-user\" (context \"dev\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing, invalid or expired", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-dev-secret", error.Message + error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_OtherStatus_QuotesOnlyTheStatusMessage()
    {
        using var cluster = Cluster();
        var exception = Http(HttpStatusCode.UnprocessableEntity, """{"kind":"Status","message":"Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1","code":422}""");

        var error = cluster.Explain(exception)!;

        Assert.Contains("422", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.replicas: Invalid value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("REQUEST-BODY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_ConnectionRefused_SaysUnreachableWithServerAndSource()
    {
        using var cluster = Cluster();

        var error = cluster.Explain(new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)))!;

        Assert.StartsWith("cannot reach the Kubernetes API server at https://dev.example", error.Message, StringComparison.Ordinal);
        Assert.Contains("context \"dev\"", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_TlsFailure_SaysHandshakeWithHint()
    {
        using var cluster = Cluster();

        var error = cluster.Explain(new HttpRequestException("SSL failed", new AuthenticationException("The remote certificate is invalid according to the validation procedure")))!;

        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("certificate-authority", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_CredentialPluginFailure_NamesUserAndHints()
    {
        using var cluster = Cluster();

        var error = cluster.Explain(new k8s.Exceptions.KubeConfigException("external exec failed: gke-gcloud-auth-plugin not found"))!;

        Assert.StartsWith("cannot get credentials for user \"dev-user\" (context \"dev\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("gke-gcloud-auth-plugin not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("exec plugin", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NotAClusterError_IsNull()
    {
        using var cluster = Cluster();

        Assert.Null(cluster.Explain(new OperationCanceledException()));
        Assert.Null(cluster.Explain(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task Request_ToClosedLoopbackPort_IsExplainedAsUnreachable()
    {
        // No server at all: a loopback port that was free a moment ago.
        var port = Berth.Testing.FreePort.Loopback();
        var file = Path.Combine(_dir, "closed.yaml");
        File.WriteAllText(file, KubeconfigResolutionTests.Config("closed", ("closed", $"http://127.0.0.1:{port}", "shop")));
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, _ => null);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Berth.Kubernetes.Apply.KubernetesStackRemover.RemoveAsync(cluster.Client, cluster.Namespace, "app", volumes: false, TestContext.Current.CancellationToken));
        var error = cluster.Explain(thrown);

        Assert.NotNull(error);
        Assert.StartsWith($"cannot reach the Kubernetes API server at http://127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
    }

    private KubernetesCluster Cluster()
    {
        var file = Path.Combine(_dir, "dev.yaml");
        File.WriteAllText(file, KubeconfigResolutionTests.Config("dev", ("dev", "https://dev.example:6443", "shop")));
        return KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, _ => null);
    }

    private static HttpOperationException Http(HttpStatusCode code, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, "https://dev.example:6443/apis/apps/v1/namespaces/shop/deployments/web") { Content = new StringContent("REQUEST-BODY") };
        using var response = new HttpResponseMessage(code);
        return new HttpOperationException($"Operation returned an invalid status code '{code}'")
        {
            Request = new HttpRequestMessageWrapper(request, "REQUEST-BODY"),
            Response = new HttpResponseMessageWrapper(response, body),
        };
    }
}
