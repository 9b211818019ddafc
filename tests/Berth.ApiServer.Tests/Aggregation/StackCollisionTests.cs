using Berth.Kubernetes.ApiDouble;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// The collision check of create and update, through real kubectl, the Kubernetes API test double as kube-apiserver's
/// aggregation front (the documented double, not a cluster: the colliding objects are created in it directly) and a
/// real berth-apiserver on a real etcd, which reads the planned objects from the double as the requesting user.
/// </summary>
public sealed class StackCollisionTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StackFile(string ns, string stack, string service, string image = "nginx:1.25-alpine")
        => front.Folder.Write($"{ns}-{stack}-{service}-{image.Replace(':', '-')}.yaml", $"""
            apiVersion: compose.docker.com/v1alpha3
            kind: Stack
            metadata:
              name: {stack}
              namespace: {ns}
            spec:
              services:
              - name: {service}
                image: {image}
            """);

    private void Namespace(string ns) => front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");

    private void SeedDeployment(string ns, string name, string labels)
        => front.Api.Seed("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","namespace":"NS","labels":LABELS},
             "spec":{"selector":{"matchLabels":{"app":"NAME"}},"template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"containers":[{"name":"NAME","image":"nginx"}]}}}}
            """.Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal).Replace("LABELS", labels, StringComparison.Ordinal));

    [Fact]
    public async Task ADeploymentCreatedDirectly_BlocksAStackOfThatServiceName_WithA422NamingKindAndName()
    {
        Namespace("clash");
        SeedDeployment("clash", "web", "{}");
        SeedDeployment("clash", "api", """{"com.docker.stack.namespace":"billing"}""");

        var web = front.Kubectl(null, "create", "-f", StackFile("clash", "shop", "web"));
        var api = front.Kubectl(null, "create", "-f", StackFile("clash", "shop2", "api"));
        var dryRun = front.Kubectl(null, "create", "--dry-run=server", "-f", StackFile("clash", "shop", "web"));

        Assert.True(web.ExitCode != 0, web.ToString());
        Assert.True(dryRun.ExitCode != 0, dryRun.ToString());
        // compose-on-kubernetes's wording: field.Duplicate(<stack name>, "deployment web already exists").
        Assert.Contains("The Stack \"shop\" is invalid: shop: Duplicate value: \"deployment web already exists\"", web.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, api.ExitCode);
        Assert.Contains("shop2: Duplicate value: \"deployment api already exists in stack billing\"", api.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, dryRun.ExitCode);
        Assert.Contains("deployment web already exists", dryRun.Stderr, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<Berth.StackApi.Storage.StoreException>(() => front.Store.GetAsync("clash", "shop", Ct));
        Assert.Equal(Berth.StackApi.Storage.StoreErrorKind.NotFound, missing.Kind);
        // The reads went to the cluster as the requesting user (here the default user, berth-test, impersonated).
        Assert.Contains(front.Api.Requests, r => r is { Resource: "deployments.apps", Namespace: "clash", Name: "web", ImpersonatedBy: KubernetesApiDouble.UserName });
    }

    [Fact]
    public void ADeploymentLabelledForTheStack_DoesNotBlockIt_NorItsUpdate()
    {
        Namespace("owned");
        SeedDeployment("owned", "web", """{"com.docker.stack.namespace":"shop"}""");

        var created = front.Kubectl(null, "create", "-f", StackFile("owned", "shop", "web"));
        var updated = front.Kubectl(null, "apply", "-f", StackFile("owned", "shop", "web", "nginx:1.27-alpine"));

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(updated.ExitCode == 0, updated.ToString());
    }

    [Fact]
    public void AnUpdateAddingACollidingService_IsRefused_AndOneLeavingTheSpecAlone_IsNot()
    {
        Namespace("grow");
        SeedDeployment("grow", "cache", "{}");
        var created = front.Kubectl(null, "create", "-f", StackFile("grow", "shop", "web"));
        Assert.True(created.ExitCode == 0, created.ToString());

        var patch = """[{"op":"add","path":"/spec/services/-","value":{"name":"cache","image":"redis:7"}}]""";
        var grown = front.Kubectl(null, "patch", "stacks.v1alpha3.compose.docker.com", "shop", "-n", "grow", "--type", "json", "-p", patch);
        var labelled = front.Kubectl(null, "label", "stacks.v1alpha3.compose.docker.com", "shop", "-n", "grow", "tier=front");

        Assert.NotEqual(0, grown.ExitCode);
        Assert.Contains("shop: Duplicate value: \"deployment cache already exists\"", grown.Stderr, StringComparison.Ordinal);
        Assert.True(labelled.ExitCode == 0, labelled.ToString());
    }

    [Fact]
    public void AUserWhoCannotReadAPlannedKind_IsRefusedWithTheClustersReason()
    {
        Namespace("blind");
        front.Api.Aggregation.AddUser("carol-collisions", "carol");
        front.Api.Aggregation.Allow(new RbacRule("carol", ["create", "get"], "compose.docker.com", ["stacks"], "blind"));
        // carol may read Services but not Deployments.
        front.Api.Aggregation.Allow(new RbacRule("carol", ["get"], "", ["services"], "blind"));

        var result = front.Kubectl("carol-collisions", "create", "-f", StackFile("blind", "shop", "web"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("deployments.apps \"web\" is forbidden: User \"carol\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"blind\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(front.Api.Requests, r => r is { Resource: "stacks.compose.docker.com", Method: "POST", StatusCode: 201, Namespace: "blind" });
    }
}
