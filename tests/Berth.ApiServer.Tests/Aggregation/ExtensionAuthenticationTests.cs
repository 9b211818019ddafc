using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// berth-apiserver started with only --kubeconfig (no CA flags) against the Kubernetes API test double (not a
/// cluster), which publishes kube-system/extension-apiserver-authentication as kube-apiserver does: the server
/// trusts the front proxy and client certificates by what that ConfigMap says, and follows its changes.
/// </summary>
public sealed class ExtensionAuthenticationTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private const string Stacks = "apis/compose.docker.com/v1alpha3/namespaces/default/stacks";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent StackJson(string name) => new(
        "{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"services\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}",
        Encoding.UTF8,
        "application/json");

    // Creates a stack straight at the server (not through the double) and says who the server recorded as owner.
    private async Task<(HttpStatusCode Code, string? Owner)> CreateDirectlyAsync(X509Certificate2 certificate, string name, string? remoteUser = null)
    {
        using var client = front.Server.Client(clientCertificate: certificate);
        if (remoteUser is not null)
        {
            client.DefaultRequestHeaders.Add("X-Remote-User", remoteUser);
            client.DefaultRequestHeaders.Add("X-Remote-Group", "system:masters");
        }

        using var response = await client.PostAsync(Stacks, StackJson(name), Ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return (response.StatusCode, null);
        }

        var owner = JsonNode.Parse(await client.GetStringAsync($"{Stacks}/{name}/owner", Ct))!;
        return (response.StatusCode, owner["owner"]!["UserName"]!.ToString());
    }

    [Fact]
    public async Task FrontProxyHeaders_AreTrusted_ByTheConfigMapsRequestHeaderCaAndAllowedNames()
    {
        var created = await CreateDirectlyAsync(front.Api.Aggregation.FrontProxyClientCertificate, "cm-proxied", KubernetesApiDouble.UserName);
        Assert.Equal((HttpStatusCode.Created, KubernetesApiDouble.UserName), created);

        // Signed by the request-header CA but not an allowed name: the headers do not count, and the certificate is no user either.
        using var notAllowed = TestCertificates.CreateClient(front.Api.Aggregation.RequestHeaderCa, "someone-else");
        Assert.Equal(HttpStatusCode.Unauthorized, (await CreateDirectlyAsync(notAllowed, "cm-not-allowed", KubernetesApiDouble.UserName)).Code);

        // And through the double, which proxies with that certificate.
        using var client = front.Client(front.Api.Token);
        using var listed = await client.GetAsync(Stacks, Ct);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains("cm-proxied", await listed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificates_SignedByTheConfigMapsClientCa_AreUsers_OthersAre401()
    {
        using var user = TestCertificates.CreateClient(front.Api.Aggregation.ClientCa, KubernetesApiDouble.UserName);
        Assert.True(await CreateDirectlyAsync(user, "cm-client-cert") == (HttpStatusCode.Created, KubernetesApiDouble.UserName), string.Join('\n', front.Logs.Lines.Where(l => !l.Contains(" ms", StringComparison.Ordinal))));

        using var otherCa = TestCertificates.CreateCa("not-the-cluster-ca");
        using var stranger = TestCertificates.CreateClient(otherCa, KubernetesApiDouble.UserName);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CreateDirectlyAsync(stranger, "cm-stranger")).Code);
    }

    [Fact]
    public async Task ARotatedClientCa_IsFollowed()
    {
        using var rotatedCa = TestCertificates.CreateCa("rotated-client-ca");
        using var certificate = TestCertificates.CreateClient(rotatedCa, KubernetesApiDouble.UserName);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CreateDirectlyAsync(certificate, "cm-rotated-early")).Code);

        var original = front.Api.Get("configmaps", "kube-system", "extension-apiserver-authentication")!;
        var rotated = (JsonObject)original.DeepClone();
        rotated["data"]!["client-ca-file"] = rotatedCa.ExportCertificatePem() + "\n";
        rotated["metadata"]!.AsObject().Remove("resourceVersion");
        front.Api.Seed(rotated.ToJsonString());
        try
        {
            Assert.Equal(HttpStatusCode.Created, await CreateUntilAcceptedAsync(certificate, "cm-rotated"));
        }
        finally
        {
            original["metadata"]!.AsObject().Remove("resourceVersion");
            front.Api.Seed(original.ToJsonString());
            // The other tests of the class need the cluster's CA back in the server.
            using var user = TestCertificates.CreateClient(front.Api.Aggregation.ClientCa, KubernetesApiDouble.UserName);
            Assert.Equal(HttpStatusCode.Created, await CreateUntilAcceptedAsync(user, "cm-restored"));
        }
    }

    // The server re-reads the ConfigMap every second in this fixture: a change shows within the deadline.
    private async Task<HttpStatusCode> CreateUntilAcceptedAsync(X509Certificate2 certificate, string namePrefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var attempt = 0;
        HttpStatusCode code;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
            code = (await CreateDirectlyAsync(certificate, $"{namePrefix}-{attempt++}")).Code;
        }
        while (code != HttpStatusCode.Created && DateTime.UtcNow < deadline);
        return code;
    }
}
