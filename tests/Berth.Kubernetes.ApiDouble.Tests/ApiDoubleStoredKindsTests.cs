using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// The kinds the double only stores (RBAC, APIServices, CustomResourceDefinitions, webhook configurations): served at
/// their real paths, cluster-scoped where the real ones are, written with server-side apply, listed by label, deleted.
/// Nothing acts on them (no RBAC from roles, no custom resources served, no webhooks called).
/// </summary>
public sealed class ApiDoubleStoredKindsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rbac_Crd_And_WebhookConfigurations_AreAppliedListedAndDeleted_AtTheirScopes()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ops"}}""");

        var role = await client.RbacAuthorizationV1.PatchClusterRoleAsync(Apply("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"stack-view","labels":{"team":"a"}},"rules":[{"apiGroups":["compose.docker.com"],"resources":["stacks"],"verbs":["get"]}]}"""), "stack-view", fieldManager: "t", cancellationToken: Ct);
        Assert.Equal("t", Assert.Single(role.Metadata.ManagedFields).Manager);
        await client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(Apply("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b","namespace":"ops","labels":{"team":"a"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"stack-view"},"subjects":[{"kind":"User","name":"alice"}]}"""), "b", "ops", fieldManager: "t", cancellationToken: Ct);
        await client.ApiextensionsV1.PatchCustomResourceDefinitionAsync(Apply("""{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"stacks.compose.docker.com"},"spec":{"group":"compose.docker.com","scope":"Namespaced","names":{"kind":"Stack","plural":"stacks"},"versions":[{"name":"v1beta2","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}"""), "stacks.compose.docker.com", fieldManager: "t", cancellationToken: Ct);
        await client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(Apply("""{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"w"},"webhooks":[]}"""), "w", fieldManager: "t", cancellationToken: Ct);

        // RBAC names are path segments, not DNS names (ValidateRBACName): a colon is fine, a slash is not.
        await client.RbacAuthorizationV1.PatchClusterRoleBindingAsync(Apply("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"berth:system:auth-delegator"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:auth-delegator"},"subjects":[{"kind":"ServiceAccount","name":"berth","namespace":"ops"}]}"""), "berth:system:auth-delegator", fieldManager: "t", cancellationToken: Ct);
        var slash = await Assert.ThrowsAsync<HttpOperationException>(() => client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "a%b" } }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, slash.Response.StatusCode);
        Assert.Equal("ClusterRole.rbac.authorization.k8s.io \"a%b\" is invalid: metadata.name: Invalid value: \"a%b\": may not contain '%'", (string?)System.Text.Json.Nodes.JsonNode.Parse(slash.Response.Content)!["message"]);

        Assert.Single((await client.RbacAuthorizationV1.ListClusterRoleAsync(labelSelector: "team=a", cancellationToken: Ct)).Items);
        Assert.Single((await client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync(labelSelector: "team=a", cancellationToken: Ct)).Items);
        Assert.Null(api.Get("clusterroles.rbac.authorization.k8s.io", null, "stack-view")!["metadata"]!["namespace"]);
        Assert.Equal("Stack", (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("stacks.compose.docker.com", cancellationToken: Ct)).Spec.Names.Kind);

        // A stored CRD's resources are served (CustomResources*.cs); an unknown group stays a 404.
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", api.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("apis/compose.docker.com/v1beta2/namespaces/ops/stacks", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("apis/unknown.example.com/v1/namespaces/ops/things", Ct)).StatusCode);

        await client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync("w", cancellationToken: Ct);
        Assert.Empty((await client.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync(cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task ApiService_IsAppliedThroughTheStore_WithKubeAggregatorsValidation_AndReadWithItsStatus()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        const string Good = """{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1beta2.compose.docker.com"},"spec":{"group":"compose.docker.com","version":"v1beta2","service":{"namespace":"berth","name":"berth-apiserver"},"groupPriorityMinimum":1000,"versionPriority":16}}""";

        var applied = await client.ApiregistrationV1.PatchAPIServiceAsync(Apply(Good), "v1beta2.compose.docker.com", fieldManager: "berth-install", force: true, cancellationToken: Ct);
        Assert.Equal("berth-install", Assert.Single(applied.Metadata.ManagedFields).Manager);
        var read = await client.ApiregistrationV1.ReadAPIServiceAsync("v1beta2.compose.docker.com", cancellationToken: Ct);
        Assert.Equal(("Available", "False", "ServiceNotFound"), (read.Status.Conditions[0].Type, read.Status.Conditions[0].Status, read.Status.Conditions[0].Reason));

        // An unchanged apply keeps the resourceVersion.
        var again = await client.ApiregistrationV1.PatchAPIServiceAsync(Apply(Good), "v1beta2.compose.docker.com", fieldManager: "berth-install", force: true, cancellationToken: Ct);
        Assert.Equal(applied.Metadata.ResourceVersion, again.Metadata.ResourceVersion);

        var bad = Good.Replace("\"versionPriority\":16", "\"versionPriority\":0", StringComparison.Ordinal).Replace("v1beta2.compose", "v1.compose", StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.ApiregistrationV1.PatchAPIServiceAsync(Apply(bad), "v1.compose.docker.com", fieldManager: "t", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        var message = (string?)System.Text.Json.Nodes.JsonNode.Parse(refused.Response.Content)!["message"];
        Assert.Equal("APIService.apiregistration.k8s.io \"v1.compose.docker.com\" is invalid: [metadata.name: Invalid value: \"v1.compose.docker.com\": must be `spec.version+\".\"+spec.group`, spec.versionPriority: Invalid value: 0: must be positive and less than 1000]", message);
    }

    private static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);
}
