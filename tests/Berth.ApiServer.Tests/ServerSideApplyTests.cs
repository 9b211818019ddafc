using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// Server-side apply with managedFields and conflicts, through the real kubectl against berth-apiserver (standalone)
/// on a real etcd: what kube-apiserver's field manager does for a custom resource.
/// </summary>
public sealed class ServerSideApplyTests(StackServerFixture fixture) : IClassFixture<StackServerFixture>
{
    private static string Manifest(string name, string image = "nginx:1.27", string labels = "") => StackManifests.Yaml(name, image, metadata: labels);

    private Kubectl Alice => new(fixture.Server, RunningServer.AliceToken);

    private static void Ok(ToolResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    private static async Task<JsonArray> ManagedFieldsAsync(Kubectl kubectl, string name)
    {
        var json = await kubectl.RunAsync("get", "stack", name, "-o", "json", "--show-managed-fields");
        Ok(json);
        return JsonNode.Parse(json.Stdout)!["metadata"]!["managedFields"]!.AsArray();
    }

    private static JsonObject Entry(JsonArray managedFields, string manager, string operation)
        => managedFields.Single(e => e!["manager"]!.ToString() == manager && e["operation"]!.ToString() == operation)!.AsObject();

    [Fact]
    public async Task ConflictWithClientSideApply_Is409PerField_ForceConflictsTakesOwnership()
    {
        var kubectl = Alice;
        var file = fixture.Server.Folder.Write("ssa-conflict.yaml", Manifest("ssa-conflict"));
        Ok(await kubectl.RunAsync("apply", "-f", file));
        var yaml = await kubectl.RunAsync("get", "stack", "ssa-conflict", "-o", "yaml", "--show-managed-fields");
        Ok(yaml);
        Assert.Contains("manager: kubectl-client-side-apply", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("operation: Update", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("fieldsType: FieldsV1", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("f:services: {}", yaml.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("managedFields", (await kubectl.RunAsync("get", "stack", "ssa-conflict", "-o", "yaml")).Stdout, StringComparison.Ordinal);

        fixture.Server.Folder.Write("ssa-conflict.yaml", Manifest("ssa-conflict", "nginx:1.28"));
        var refused = await kubectl.RunAsync("apply", "--server-side", "--field-manager", "deployer", "-f", file);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using compose.docker.com/v1alpha3: .spec.services", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("nginx:1.27", (await kubectl.RunAsync("get", "stack", "ssa-conflict", "-o", "jsonpath={.spec.services[0].image}")).Stdout.Trim());

        Ok(await kubectl.RunAsync("apply", "--server-side", "--field-manager", "deployer", "--force-conflicts", "-f", file));
        Assert.Equal("nginx:1.28", (await kubectl.RunAsync("get", "stack", "ssa-conflict", "-o", "jsonpath={.spec.services[0].image}")).Stdout.Trim());
        var managed = await ManagedFieldsAsync(kubectl, "ssa-conflict");
        var deployer = Entry(managed, "deployer", "Apply");
        Assert.Equal("compose.docker.com/v1alpha3", deployer["apiVersion"]!.ToString());
        Assert.Equal("FieldsV1", deployer["fieldsType"]!.ToString());
        Assert.NotNull(deployer["fieldsV1"]!["f:spec"]!["f:services"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", deployer["time"]!.ToString());
        // The client-side applier lost .spec.services; kubectl then moved its annotation to the applier
        // (csaupgrade), whose next apply pruned it: nothing of kubectl-client-side-apply is left.
        Assert.DoesNotContain(managed, e => e!["manager"]!.ToString() == "kubectl-client-side-apply");
        Assert.DoesNotContain("last-applied-configuration", (await kubectl.RunAsync("get", "stack", "ssa-conflict", "-o", "yaml")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubectlServerSide_TakesOverFromClientSideApply_WithoutConflict()
    {
        // lastappliedmanager.go: the "kubectl" manager upgrades an object applied client-side.
        var kubectl = Alice;
        var file = fixture.Server.Folder.Write("ssa-upgrade.yaml", Manifest("ssa-upgrade", labels: "labels:\n  tier: \"1\""));
        Ok(await kubectl.RunAsync("apply", "-f", file));
        fixture.Server.Folder.Write("ssa-upgrade.yaml", Manifest("ssa-upgrade", labels: "labels:\n  tier: \"2\""));
        // Another manager would conflict on .metadata.labels.tier ...
        var other = await kubectl.RunAsync("apply", "--server-side", "--field-manager", "other", "--dry-run=server", "-f", file);
        Assert.Contains("conflict with \"kubectl-client-side-apply\" using compose.docker.com/v1alpha3: .metadata.labels.tier", other.Stderr, StringComparison.Ordinal);
        // ... "kubectl" does not: the live value is still the last-applied one.
        Ok(await kubectl.RunAsync("apply", "--server-side", "-f", file));
        Assert.Equal("2", (await kubectl.RunAsync("get", "stack", "ssa-upgrade", "-o", "jsonpath={.metadata.labels.tier}")).Stdout.Trim());
        Assert.NotNull(Entry(await ManagedFieldsAsync(kubectl, "ssa-upgrade"), "kubectl", "Apply")["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:tier"]);
    }

    [Fact]
    public async Task SameValueIsShared_DroppedFieldIsRemovedUnlessAnotherManagerOwnsIt()
    {
        var kubectl = Alice;
        var first = fixture.Server.Folder.Write("ssa-share-a.yaml", Manifest("ssa-share", labels: "labels:\n  shared: \"1\"\n  mine: \"2\""));
        Ok(await kubectl.RunAsync("apply", "--server-side", "--field-manager", "team-a", "-f", first));
        var second = fixture.Server.Folder.Write("ssa-share-b.yaml", """
            apiVersion: compose.docker.com/v1alpha3
            kind: Stack
            metadata:
              name: ssa-share
              labels:
                shared: "1"

            """);
        // The same value: both own it, no conflict.
        Ok(await kubectl.RunAsync("apply", "--server-side", "--field-manager", "team-b", "-f", second));
        var managed = await ManagedFieldsAsync(kubectl, "ssa-share");
        Assert.NotNull(Entry(managed, "team-a", "Apply")["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:shared"]);
        Assert.NotNull(Entry(managed, "team-b", "Apply")["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:shared"]);

        // A different value for a field team-a owns: a conflict naming the applier without a version.
        fixture.Server.Folder.Write("ssa-share-b.yaml", File.ReadAllText(second).Replace("shared: \"1\"", "shared: \"9\"", StringComparison.Ordinal));
        var refused = await kubectl.RunAsync("apply", "--server-side", "--field-manager", "team-b", "-f", second);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"team-a\": .metadata.labels.shared", refused.Stderr, StringComparison.Ordinal);

        // team-a stops applying both labels: "mine" goes, "shared" stays (team-b still applies it).
        fixture.Server.Folder.Write("ssa-share-a.yaml", Manifest("ssa-share"));
        Ok(await kubectl.RunAsync("apply", "--server-side", "--field-manager", "team-a", "-f", first));
        var labels = await kubectl.RunAsync("get", "stack", "ssa-share", "-o", "jsonpath={.metadata.labels}");
        Assert.Equal("""{"shared":"1"}""", labels.Stdout.Trim());
    }

    [Fact]
    public async Task Updates_AreRecordedUnderTheFieldManagerOrTheUserAgent_ApplyNeedsItsVersion()
    {
        var kubectl = Alice;
        Ok(await kubectl.RunWithInputAsync(Manifest("ssa-update"), "create", "-f", "-"));
        Ok(await kubectl.RunAsync("label", "stack", "ssa-update", "tier=web"));
        var managed = await ManagedFieldsAsync(kubectl, "ssa-update");
        Assert.NotNull(Entry(managed, "kubectl-create", "Update")["fieldsV1"]!["f:spec"]!["f:services"]);
        Assert.NotNull(Entry(managed, "kubectl-label", "Update")["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:tier"]);

        using var client = fixture.Server.Client(RunningServer.AliceToken);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("stack-tool", "2.1"));
        const string path = "apis/compose.docker.com/v1beta2/namespaces/default/stacks/ssa-update";
        using var patched = await client.PatchAsync(path, new StringContent("""{"metadata":{"labels":{"tier":"db"}}}""", Encoding.UTF8, "application/merge-patch+json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        managed = JsonNode.Parse(await patched.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal("compose.docker.com/v1beta2", Entry(managed, "stack-tool", "Update")["apiVersion"]!.ToString());
        // kubectl-label lost the label it no longer set.
        Assert.DoesNotContain(managed, e => e!["manager"]!.ToString() == "kubectl-label");

        using var wrongVersion = await client.PatchAsync(path + "?fieldManager=x", new StringContent("""{"apiVersion":"compose.docker.com/v1alpha3","kind":"Stack","metadata":{"name":"ssa-update"}}""", Encoding.UTF8, "application/apply-patch+yaml"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, wrongVersion.StatusCode);
        Assert.Contains("Incorrect version specified in apply patch. Specified patch version: compose.docker.com/v1alpha3, expected: compose.docker.com/v1beta2", await wrongVersion.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
