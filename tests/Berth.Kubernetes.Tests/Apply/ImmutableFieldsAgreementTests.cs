using System.Net;
using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>
/// Berth's immutable-field table (src, <see cref="ImmutableFields"/>) against the API double's update validation
/// (tests, which Berth cannot reference): for every kind Berth writes, an object is applied, then a changed one;
/// Berth must call the change a replacement exactly when the double answers 422 Invalid (or, for a Service dropping
/// clusterIP None, keeps it).
/// </summary>
public sealed class ImmutableFieldsAgreementTests : IAsyncLifetime
{
    private const string Ns = "agree";
    private KubernetesApiDouble _api = null!;
    private IKubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        _api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"agree"}}""");
        _client = _api.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    // JSON written with ' for " (J turns them), values concatenated: nested braces read better than in raw interpolation.
    private static string J(string json) => json.Replace('\'', '"');

    private static string Pod(string image, string app = "x", bool job = false)
        => J("{'metadata':{'labels':{'app':'" + app + "'}},'spec':{" + (job ? "'restartPolicy':'Never'," : string.Empty) + "'containers':[{'name':'x','image':'" + image + "'}]}}");

    private static string Workload(string kind, string spec) => J("{'apiVersion':'apps/v1','kind':'" + kind + "','metadata':{'name':'x'},'spec':{") + spec + "}}";

    private static string Sts(string size = "1Gi", string serviceName = "x", string image = "a:1", int replicas = 1, string policy = "OrderedReady")
        => Workload("StatefulSet", J("'selector':{'matchLabels':{'app':'x'}},'replicas':" + replicas + ",'serviceName':'" + serviceName + "','podManagementPolicy':'" + policy + "','template':")
            + Pod(image) + J(",'volumeClaimTemplates':[{'metadata':{'name':'data'},'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'" + size + "'}}}}]"));

    private static string Apps(string kind, string app = "x", string image = "a:1")
        => Workload(kind, J("'selector':{'matchLabels':{'app':'" + app + "'}},'template':") + Pod(image, app));

    private static string Job(string image = "a:1", int completions = 1)
        => J("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'x'},'spec':{'completions':" + completions + ",'template':") + Pod(image, job: true) + "}}";

    private static string Service(bool headless, int port = 80, string type = "ClusterIP")
        => J("{'apiVersion':'v1','kind':'Service','metadata':{'name':'x'},'spec':{'type':'" + type + "'," + (headless ? "'clusterIP':'None'," : string.Empty)
            + "'selector':{'app':'x'},'ports':[{'name':'p','port':" + port + ",'targetPort':" + port + "}]}}");

    private static string Claim(string size = "1Gi", string? storageClass = null)
        => J("{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'x'},'spec':{'accessModes':['ReadWriteOnce'],"
            + (storageClass is null ? string.Empty : "'storageClassName':'" + storageClass + "',") + "'resources':{'requests':{'storage':'" + size + "'}}}}");

    private static string Secret(string type = "Opaque", string value = "YQ==")
        => J("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'x'},'type':'" + type + "','data':{'k':'" + value + "'}}");

    private static string ConfigMap(string value, bool immutable = false)
        => J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x'}," + (immutable ? "'immutable':true," : string.Empty) + "'data':{'k':'" + value + "'}}");

    private static string Policy(string app)
        => J("{'apiVersion':'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'x'},'spec':{'podSelector':{'matchLabels':{'app':'" + app + "'}},'policyTypes':['Ingress']}}");

    private static string Ingress(string host)
        => J("{'apiVersion':'networking.k8s.io/v1','kind':'Ingress','metadata':{'name':'x'},'spec':{'rules':[{'host':'" + host
            + "','http':{'paths':[{'path':'/','pathType':'Prefix','backend':{'service':{'name':'x','port':{'number':80}}}}]}}]}}");

    private static string Autoscaler(int max)
        => J("{'apiVersion':'autoscaling/v2','kind':'HorizontalPodAutoscaler','metadata':{'name':'x'},'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'x'},'minReplicas':1,'maxReplicas':" + max + "}}");

    public static TheoryData<string, string, string> Changes() => new()
    {
        { "StatefulSet claim size", Sts(), Sts(size: "5Gi") },
        { "StatefulSet serviceName", Sts(), Sts(serviceName: "y") },
        { "StatefulSet podManagementPolicy", Sts(), Sts(policy: "Parallel") },
        { "StatefulSet image", Sts(), Sts(image: "a:2") },
        { "StatefulSet replicas", Sts(), Sts(replicas: 3) },
        { "Deployment selector", Apps("Deployment"), Apps("Deployment", app: "y") },
        { "Deployment image", Apps("Deployment"), Apps("Deployment", image: "a:2") },
        { "DaemonSet selector", Apps("DaemonSet"), Apps("DaemonSet", app: "y") },
        { "DaemonSet image", Apps("DaemonSet"), Apps("DaemonSet", image: "a:2") },
        { "Job template", Job(), Job(image: "a:2") },
        { "Job completions", Job(), Job(completions: 2) },
        { "Service ClusterIP to headless", Service(headless: false), Service(headless: true) },
        { "Service headless to ClusterIP", Service(headless: true), Service(headless: false) },
        { "Service port", Service(headless: false), Service(headless: false, port: 81) },
        { "Service type NodePort", Service(headless: false), Service(headless: false, type: "NodePort") },
        { "Claim storage class", Claim(), Claim(storageClass: "fast") },
        { "Claim smaller", Claim(size: "2Gi"), Claim(size: "1Gi") },
        { "Secret type", Secret(), Secret(type: "kubernetes.io/basic-auth") },
        { "Secret data", Secret(), Secret(value: "Yg==") },
        { "ConfigMap data", ConfigMap("a"), ConfigMap("b") },
        { "Immutable ConfigMap data", ConfigMap("a", immutable: true), ConfigMap("b", immutable: true) },
        { "NetworkPolicy selector", Policy("x"), Policy("y") },
        { "Ingress host", Ingress("a.example"), Ingress("b.example") },
        { "Autoscaler max", Autoscaler(3), Autoscaler(5) },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task BerthCallsAChangeAReplacement_ExactlyWhenTheServerRefusesIt(string change, string before, string after)
    {
        var kind = ResourceKinds.Find((string)JsonNode.Parse(before)!["kind"]!)!;
        var live = LiveJson.Serialize(await ApplyAsync(kind, before));
        var desired = JsonNode.Parse(after)!.AsObject();
        desired["metadata"]!["namespace"] = Ns;

        var fields = FieldDiff.Changed(desired, live, KubernetesDeployer.FieldManager);
        var berthReplaces = !ImmutableFields.Refused(kind.Kind, fields, desired, live).IsEmpty;
        var serverRefuses = false;
        try
        {
            var applied = LiveJson.Serialize(await ApplyAsync(kind, after));

            // Headless to ClusterIP by an apply that drops clusterIP: the server keeps the allocated "None" (the
            // REST layer copies clusterIPs over), so the Service silently stays headless; only a new one changes it.
            serverRefuses = kind.Kind == "Service" && (string?)desired["spec"]!["clusterIP"] != "None" && (string?)applied["spec"]!["clusterIPs"]?[0] == "None";
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            serverRefuses = true;
        }

        Assert.True(!fields.IsEmpty || kind.Kind == "Secret", $"{change}: no field reported"); // Secret data is compared apart, never as a field
        Assert.True(berthReplaces == serverRefuses, $"{change}: Berth replaces {berthReplaces} (fields {string.Join(", ", fields)}), the server refuses {serverRefuses}");
    }

    [Fact]
    public void EveryKindBerthWritesWithImmutableFields_HasOneRuleCitingItsValidationFunction()
    {
        var ruled = ImmutableFields.Rules.Select(r => r.Kind).ToList();
        Assert.Equal(ruled.Distinct(StringComparer.Ordinal).Count(), ruled.Count);
        Assert.All(ruled, k => Assert.NotNull(ResourceKinds.Find(k)));
        Assert.All(ImmutableFields.Rules, r => Assert.Matches(@"^kubernetes release-1\.36 pkg/\S+\.go \w+", r.Source));
        Assert.Equal(["ConfigMap", "DaemonSet", "Deployment", "Job", "PersistentVolumeClaim", "Secret", "Service", "StatefulSet"], ruled.Order(StringComparer.Ordinal));
    }

    private async Task<IKubernetesObject<V1ObjectMeta>> ApplyAsync(ResourceKind kind, string json)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["metadata"]!["namespace"] = Ns;
        return await kind.Apply(_client, new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch), "x", Ns, TestContext.Current.CancellationToken);
    }
}
