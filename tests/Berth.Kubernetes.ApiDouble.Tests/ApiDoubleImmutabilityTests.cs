using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Updates the real server refuses, for the kinds Berth writes, with its status code (422 Invalid; 403 from the
/// resize admission plugin) and wording. Each test names the kubernetes v1.31 source it follows.
/// </summary>
public sealed class ApiDoubleImmutabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task ApplyAsync(IKubernetes client, string resource, string name, JsonObject body, bool force = true)
    {
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        return resource switch
        {
            "statefulsets" => client.AppsV1.PatchNamespacedStatefulSetAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "deployments" => client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "daemonsets" => client.AppsV1.PatchNamespacedDaemonSetAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "jobs" => client.BatchV1.PatchNamespacedJobAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "services" => client.CoreV1.PatchNamespacedServiceAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "persistentvolumeclaims" => client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "configmaps" => client.CoreV1.PatchNamespacedConfigMapAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            "secrets" => client.CoreV1.PatchNamespacedSecretAsync(patch, name, "default", fieldManager: "berth", force: force, cancellationToken: Ct),
            _ => throw new ArgumentException(resource, nameof(resource)),
        };
    }

    private static JsonObject StatefulSet(string claimSize = "1Gi", int replicas = 1, string image = "postgres:16", string serviceName = "db") => Json($$"""
        { "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": { "name": "db" },
          "spec": { "replicas": {{replicas}}, "serviceName": "{{serviceName}}", "selector": { "matchLabels": { "app": "db" } },
            "template": { "metadata": { "labels": { "app": "db" } }, "spec": { "containers": [ { "name": "db", "image": "{{image}}" } ] } },
            "volumeClaimTemplates": [ { "metadata": { "name": "data" },
              "spec": { "accessModes": [ "ReadWriteOnce" ], "resources": { "requests": { "storage": "{{claimSize}}" } } } } ] } }
        """);

    [Fact]
    public async Task StatefulSet_spec_outside_the_mutable_fields_is_forbidden__v1_31_apps_validation_ValidateStatefulSetUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "statefulsets", "db", StatefulSet());

        await ApplyAsync(client, "statefulsets", "db", StatefulSet(replicas: 3, image: "postgres:17"));
        var (claimCode, claim) = await Refused(() => ApplyAsync(client, "statefulsets", "db", StatefulSet(claimSize: "2Gi", replicas: 3, image: "postgres:17")));
        var (_, service) = await Refused(() => ApplyAsync(client, "statefulsets", "db", StatefulSet(replicas: 3, image: "postgres:17", serviceName: "other")));

        const string Expected = "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
            + "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
        Assert.Equal(HttpStatusCode.UnprocessableEntity, claimCode);
        Assert.Equal(Expected, claim["message"]!.ToString());
        Assert.Equal("FieldValueForbidden", claim["details"]!["causes"]![0]!["reason"]!.ToString());
        Assert.Equal(Expected, service["message"]!.ToString());
        Assert.Equal("1Gi", api.Get("statefulsets.apps", "default", "db")!["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]!.ToString());
    }

    [Fact]
    public async Task Deployment_and_DaemonSet_selectors_are_immutable__v1_31_registry_apps_strategy_ValidateUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "deployments", "web", Json(Deployment("web")));
        var daemonSet = Json(Deployment("agent", service: "agent").Replace("\"Deployment\"", "\"DaemonSet\"", StringComparison.Ordinal));
        daemonSet["spec"]!.AsObject().Remove("replicas");
        await ApplyAsync(client, "daemonsets", "agent", daemonSet);

        var moved = Json(Deployment("web"));
        moved["spec"]!["selector"]!["matchLabels"]!["com.docker.stack.namespace"] = "shop";
        var (code, status) = await Refused(() => ApplyAsync(client, "deployments", "web", moved));
        var movedDaemonSet = (JsonObject)daemonSet.DeepClone();
        movedDaemonSet["spec"]!["selector"] = Json("""{ "matchLabels": { "com.docker.service.name": "agent" }, "matchExpressions": [ { "key": "tier", "operator": "Exists" } ] }""");
        var (_, daemonSetStatus) = await Refused(() => ApplyAsync(client, "daemonsets", "agent", movedDaemonSet));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
            + "\"com.docker.service.name\":\"web\", \"com.docker.stack.namespace\":\"shop\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            status["message"]!.ToString());
        Assert.Equal("DaemonSet.apps \"agent\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"com.docker.service.name\":\"agent\"}, "
            + "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"tier\", Operator:\"Exists\", Values:[]string(nil)}}}: field is immutable",
            daemonSetStatus["message"]!.ToString());
    }

    private static JsonObject Service(string? clusterIp = null, string type = "ClusterIP")
    {
        var service = Json("""{ "apiVersion": "v1", "kind": "Service", "metadata": { "name": "web" }, "spec": { "selector": { "app": "web" }, "ports": [ { "port": 80 } ] } }""");
        service["spec"]!["type"] = type;
        if (clusterIp is not null)
        {
            service["spec"]!["clusterIP"] = clusterIp;
        }

        if (type == "ExternalName")
        {
            service["spec"]!["externalName"] = "db.example.com";
        }

        return service;
    }

    [Fact]
    public async Task Service_cluster_IPs_may_not_change_once_set__v1_31_core_validation_ValidateServiceUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "services", "web", Service());
        var allocated = api.Get("services", "default", "web")!["spec"]!["clusterIP"]!.ToString();

        var (code, headless) = await Refused(() => ApplyAsync(client, "services", "web", Service("None")));
        var (_, moved) = await Refused(() => ApplyAsync(client, "services", "web", Service("10.96.9.9")));
        await ApplyAsync(client, "services", "web", Service(type: "NodePort"));
        var kept = api.Get("services", "default", "web")!["spec"]!;
        await ApplyAsync(client, "services", "web", Service(type: "ExternalName"));
        var external = api.Get("services", "default", "web")!["spec"]!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"None\"}: may not change once set", headless["message"]!.ToString());
        Assert.Equal("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.9.9\"}: may not change once set", moved["message"]!.ToString());
        Assert.Equal(allocated, kept["clusterIP"]!.ToString());
        Assert.Null(external["clusterIP"]);
        Assert.Null(external["clusterIPs"]);
    }

    [Fact]
    public async Task A_headless_Service_stays_headless()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "services", "web", Service("None"));

        var (code, status) = await Refused(() => ApplyAsync(client, "services", "web", Service("10.96.5.5")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.5.5\"}: may not change once set", status["message"]!.ToString());
    }

    private static JsonObject Claim(string size, string? storageClass = "standard")
    {
        var claim = Json($$"""
            { "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": { "name": "data" },
              "spec": { "accessModes": [ "ReadWriteOnce" ], "resources": { "requests": { "storage": "{{size}}" } } } }
            """);
        if (storageClass is not null)
        {
            claim["spec"]!["storageClassName"] = storageClass;
        }

        return claim;
    }

    [Fact]
    public async Task Claim_spec_is_immutable_except_a_storage_increase_of_a_bound_claim__v1_31_core_validation_ValidatePersistentVolumeClaimUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "persistentvolumeclaims", "data", Claim("1Gi"));

        var (pendingCode, pending) = await Refused(() => ApplyAsync(client, "persistentvolumeclaims", "data", Claim("2Gi")));
        var (_, otherClass) = await Refused(() => ApplyAsync(client, "persistentvolumeclaims", "data", Claim("1Gi", "fast")));
        api.SetStatus("persistentvolumeclaims", "default", "data", Json("""{ "phase": "Bound", "capacity": { "storage": "1Gi" } }"""));
        var (shrinkCode, shrink) = await Refused(() => ApplyAsync(client, "persistentvolumeclaims", "data", Claim("512Mi")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, pendingCode);
        const string Frozen = "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
        Assert.Equal(Frozen, pending["message"]!.ToString());
        Assert.Equal(Frozen, otherClass["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, shrinkCode);
        Assert.Equal("PersistentVolumeClaim \"data\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value", shrink["message"]!.ToString());
    }

    [Fact]
    public async Task A_bound_claim_grows_only_on_an_expandable_StorageClass__v1_31_admission_PersistentVolumeClaimResize()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed("""{ "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": { "name": "standard" }, "provisioner": "example.com/disk" }""");
        api.Seed("""{ "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": { "name": "fast" }, "provisioner": "example.com/disk", "allowVolumeExpansion": true }""");
        await ApplyAsync(client, "persistentvolumeclaims", "data", Claim("1Gi"));
        var fast = Claim("1Gi", "fast");
        fast["metadata"]!["name"] = "fast";
        await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch(fast.ToJsonString(), V1Patch.PatchType.ApplyPatch), "fast", "default", fieldManager: "berth", cancellationToken: Ct);
        api.SetStatus("persistentvolumeclaims", "default", "data", Json("""{ "phase": "Bound" }"""));
        api.SetStatus("persistentvolumeclaims", "default", "fast", Json("""{ "phase": "Bound" }"""));

        var (code, status) = await Refused(() => ApplyAsync(client, "persistentvolumeclaims", "data", Claim("2Gi")));
        var grown = Claim("2Gi", "fast");
        grown["metadata"]!["name"] = "fast";
        var resized = await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(
            new V1Patch(grown.ToJsonString(), V1Patch.PatchType.ApplyPatch), "fast", "default", fieldManager: "berth", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
            status["message"]!.ToString());
        Assert.Equal("2Gi", resized.Spec.Resources.Requests["storage"].ToString());
    }

    private static JsonObject Job(int completions, string image = "app:1") => Json($$"""
        { "apiVersion": "batch/v1", "kind": "Job", "metadata": { "name": "migrate" },
          "spec": { "completions": {{completions}}, "template": { "spec": { "restartPolicy": "Never", "containers": [ { "name": "m", "image": "{{image}}" } ] } } } }
        """);

    [Fact]
    public async Task Job_completions_and_template_are_immutable__v1_31_batch_validation_ValidateJobSpecUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "jobs", "migrate", Job(1));

        var (code, completions) = await Refused(() => ApplyAsync(client, "jobs", "migrate", Job(3)));
        var (_, both) = await Refused(() => ApplyAsync(client, "jobs", "migrate", Job(3, "app:2")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Job.batch \"migrate\" is invalid: spec.completions: Invalid value: 3: field is immutable", completions["message"]!.ToString());
        Assert.Equal("Job.batch \"migrate\" is invalid: [spec.completions: Invalid value: 3: field is immutable, "
            + "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable]", both["message"]!.ToString());
        Assert.Equal(2, both["details"]!["causes"]!.AsArray().Count);
    }

    [Fact]
    public async Task Immutable_ConfigMaps_and_Secrets_keep_their_data_and_the_flag__v1_31_core_validation_ValidateConfigMapUpdate_ValidateSecretUpdate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, "configmaps", "conf", Json("""{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "conf" }, "immutable": true, "data": { "a": "1" } }"""));
        await ApplyAsync(client, "secrets", "tls", Json("""{ "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "tls" }, "type": "Opaque", "data": { "k": "dg==" } }"""));

        var (code, data) = await Refused(() => ApplyAsync(client, "configmaps", "conf",
            Json("""{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "conf" }, "immutable": true, "data": { "a": "2" } }""")));
        var (_, flag) = await Refused(() => ApplyAsync(client, "configmaps", "conf",
            Json("""{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "conf" }, "immutable": false, "data": { "a": "2" } }""")));
        var (_, type) = await Refused(() => ApplyAsync(client, "secrets", "tls",
            Json("""{ "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "tls" }, "type": "kubernetes.io/tls", "data": { "k": "dg==" } }""")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("ConfigMap \"conf\" is invalid: data: Forbidden: field is immutable when `immutable` is set", data["message"]!.ToString());
        Assert.Equal("ConfigMap \"conf\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]",
            flag["message"]!.ToString());
        Assert.Equal("Secret \"tls\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable", type["message"]!.ToString());
    }
}
