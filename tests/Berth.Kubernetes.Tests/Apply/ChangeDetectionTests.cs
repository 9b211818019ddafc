using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Stacks;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>The pure parts of apply: applied hash, changed field paths, config revision and the planner's decisions on a given live state.</summary>
public sealed class ChangeDetectionTests
{
    private const string Stack = "shop";
    private const string Ns = "shop";

    [Fact]
    public void Hash_IgnoresKeyOrderAndItsOwnAnnotation()
    {
        var a = JsonNode.Parse("""{"kind":"ConfigMap","metadata":{"name":"c","labels":{"x":"1","y":"2"}},"data":{"k":"v"}}""")!.AsObject();
        var b = JsonNode.Parse("""{"data":{"k":"v"},"metadata":{"labels":{"y":"2","x":"1"},"name":"c","annotations":{"berth.io/applied-hash":"old"}},"kind":"ConfigMap"}""")!.AsObject();

        Assert.Equal(AppliedObject.Hash(a), AppliedObject.Hash(b));
        a["data"]!["k"] = "w";
        Assert.NotEqual(AppliedObject.Hash(a), AppliedObject.Hash(b));
    }

    [Fact]
    public void Hash_OfSecret_DoesNotDependOnData()
    {
        var one = AppliedObject.Build(Secret("s", "one"), Ns, null);
        var two = AppliedObject.Build(Secret("s", "two"), Ns, null);

        Assert.Equal(HashOf(one), HashOf(two));
        Assert.Equal(64, HashOf(one).Length);
    }

    [Fact]
    public void Changed_ImageOfNamedContainer_IsReportedByName()
    {
        var desired = Body(Deployment("web", "nginx:2"));
        var live = Body(Deployment("web", "nginx:1"));
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["terminationMessagePath"] = "/dev/termination-log"; // a server default

        var fields = FieldDiff.Changed(desired, live, "berth");

        Assert.Equal(["spec.template.spec.containers[web].image"], fields);
    }

    [Fact]
    public void Changed_FieldBerthOwnedButNoLongerSends_IsReported()
    {
        var desired = Body(Deployment("web", "nginx:1"));
        var live = Body(Deployment("web", "nginx:1"));
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = JsonNode.Parse("""[{"name":"OLD","value":"x"}]""");
        live["metadata"]!["managedFields"] = JsonNode.Parse("""
            [{"manager":"berth","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:image":{},"f:env":{"k:{\"name\":\"OLD\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}}},
             {"manager":"kubectl","operation":"Update","fieldsV1":{"f:metadata":{"f:labels":{"f:edited":{}}}}}]
            """);

        var fields = FieldDiff.Changed(desired, live, "berth");

        Assert.Contains("spec.template.spec.containers[web].env[OLD].name", fields);
        Assert.DoesNotContain(fields, f => f.Contains("edited", StringComparison.Ordinal));
        Assert.DoesNotContain(fields, f => f.EndsWith("].image", StringComparison.Ordinal));
    }

    [Fact]
    public void Changed_Secret_NamesNoDataKeyOrValue()
    {
        var desired = AppliedObject.Build(Secret("s", "new-password"), Ns, null);
        var live = AppliedObject.Build(Secret("s", "old-password"), Ns, null);

        Assert.Empty(FieldDiff.Changed(desired, live, "berth"));
    }

    [Fact]
    public void References_FindSecretsAndConfigMapsOfTheStackOnly()
    {
        var deployment = Deployment("web", "nginx");
        var pod = deployment.Spec.Template.Spec;
        pod.Volumes = [new V1Volume { Name = "cfg", Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { Secret = new V1SecretProjection { Name = "db-password" } }, new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "nginx-conf" } }] } }];
        pod.Containers[0].Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "external", Key = "k" } } }];

        var references = ConfigRevision.References(deployment, new HashSet<string> { "Secret/db-password", "ConfigMap/nginx-conf" });

        Assert.Equal(["ConfigMap/nginx-conf", "Secret/db-password"], references);
        Assert.Equal("ConfigMap/nginx-conf=7,Secret/db-password=9", ConfigRevision.Value(references, new Dictionary<string, string> { ["Secret/db-password"] = "9", ["ConfigMap/nginx-conf"] = "7" }));
        Assert.Null(ConfigRevision.Value([], new Dictionary<string, string>()));
    }

    [Fact]
    public void Compute_NothingLive_CreatesEverythingInOrder()
    {
        var plan = Plan(Secret("db-password", "pw"), Deployment("web", "nginx"));

        var result = KubernetesPlanner.Compute(plan, State(), Stack, Ns, pruneVolumes: false).ChangeSet;

        Assert.Equal(["Secret/db-password", "Deployment/web"], result.Changes.Select(c => c.Id));
        Assert.All(result.Changes, c => Assert.Equal(ObjectAction.Create, c.Action));
    }

    [Fact]
    public void Compute_LiveAsApplied_IsUnchanged()
    {
        var plan = Plan(Secret("db-password", "pw"), Deployment("web", "nginx"));
        var state = State(Applied(Secret("db-password", "pw"), "5"), Applied(Deployment("web", "nginx"), "6"));

        var result = KubernetesPlanner.Compute(plan, state, Stack, Ns, pruneVolumes: false).ChangeSet;

        Assert.False(result.HasChanges, string.Join(", ", result.Changes.Select(c => c.Id)));
        Assert.Equal(["Secret/db-password", "Deployment/web"], result.Unchanged);
    }

    [Fact]
    public void Compute_SecretContentChanged_UpdatesSecretAndTheWorkloadUsingIt()
    {
        var web = WithSecretVolume(Deployment("web", "nginx"), "db-password");
        var other = Deployment("other", "nginx");
        var plan = Plan(Secret("db-password", "new"), web, other);
        var liveSecret = Applied(Secret("db-password", "old"), "5");
        var state = State(liveSecret, Applied(WithSecretVolume(Deployment("web", "nginx"), "db-password"), "6", "Secret/db-password=5"), Applied(Deployment("other", "nginx"), "7"));

        var result = KubernetesPlanner.Compute(plan, state, Stack, Ns, pruneVolumes: false).ChangeSet;

        var secret = Assert.Single(result.Changes, c => c.Kind == "Secret");
        Assert.Equal(["data"], secret.Fields);
        var workload = Assert.Single(result.Changes, c => c.Kind == "Deployment");
        Assert.Equal("web", workload.Name);
        Assert.Equal(["spec.template.metadata.annotations[berth.io/config-revision]"], workload.Fields);
        Assert.Contains("Deployment/other", result.Unchanged);
    }

    [Fact]
    public void Compute_ForeignAndOtherStackNames_AreCollisionsWithOwner()
    {
        var plan = Plan(Service("web"), Deployment("web", "nginx"));
        var foreign = Service("web");
        foreign.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        var otherStack = Deployment("web", "nginx");
        otherStack.Metadata.Labels = new Dictionary<string, string> { [StackLabels.StackNamespace] = "other" };

        var result = KubernetesPlanner.Compute(plan, State(foreign, otherStack), Stack, Ns, pruneVolumes: false).ChangeSet;

        Assert.Equal(2, result.Collisions.Length);
        Assert.Contains(result.Collisions, c => c.Id == "Service/web" && c.Reason!.Contains("not created by a stack", StringComparison.Ordinal));
        Assert.Contains(result.Collisions, c => c.Id == "Deployment/web" && c.Reason!.Contains("owned by stack other", StringComparison.Ordinal));
    }

    [Fact]
    public void Compute_Prune_RemovesOwnedOnly_ClaimsOnlyWithVolumes()
    {
        var plan = Plan(Deployment("web", "nginx"));
        var gone = Applied(Deployment("old", "nginx"), "3");
        var claim = Applied(Claim("old-data"), "4");
        var foreign = Deployment("legacy", "nginx");
        foreign.Metadata.Labels = new Dictionary<string, string> { ["app"] = "legacy" };
        var otherStack = Deployment("old2", "nginx");
        otherStack.Metadata.Labels = new Dictionary<string, string> { [StackLabels.StackNamespace] = "shop2" };
        var state = State(Applied(Deployment("web", "nginx"), "2"), gone, claim, foreign, otherStack);

        var kept = KubernetesPlanner.Compute(plan, state, Stack, Ns, pruneVolumes: false).ChangeSet;
        var pruned = KubernetesPlanner.Compute(plan, state, Stack, Ns, pruneVolumes: true).ChangeSet;

        Assert.Equal(["Deployment/old"], kept.Changes.Where(c => c.Action == ObjectAction.Remove).Select(c => c.Id));
        Assert.Equal(["Deployment/old", "PersistentVolumeClaim/old-data"], pruned.Changes.Where(c => c.Action == ObjectAction.Remove).Select(c => c.Id));
    }

    [Fact]
    public void Compute_ExistingNamespaceOfSomeoneElse_IsLeftAlone()
    {
        var ns = new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = Ns, Labels = Labels() } };
        var plan = Plan(ns);
        var live = new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns, Labels = new Dictionary<string, string> { ["team"] = "x" } } };

        var result = KubernetesPlanner.Compute(plan, State() with { Namespace = live }, Stack, Ns, pruneVolumes: false).ChangeSet;

        Assert.False(result.HasChanges);
        Assert.Equal(["Namespace/shop"], result.Unchanged);
    }

    private static string HashOf(JsonObject body) => (string)body["metadata"]!["annotations"]![AppliedObject.HashAnnotation]!;

    private static JsonObject Body(IKubernetesObject<V1ObjectMeta> obj) => AppliedObject.Build(obj, Ns, null);

    private static KubernetesPlan Plan(params IKubernetesObject<V1ObjectMeta>[] objects) => new([.. objects], [], []);

    private static LiveState State(params IKubernetesObject<V1ObjectMeta>[] objects)
        => new(ResourceKinds.All.ToImmutableDictionary(k => k.Kind, k => (IReadOnlyList<IKubernetesObject<V1ObjectMeta>>)[.. objects.Where(o => o.Kind == k.Kind)], StringComparer.Ordinal), null);

    /// <summary>The object as the server holds it after Berth applied it: hash annotation, resourceVersion.</summary>
    private static IKubernetesObject<V1ObjectMeta> Applied(IKubernetesObject<V1ObjectMeta> obj, string resourceVersion, string? configRevision = null)
    {
        var body = AppliedObject.Build(obj, Ns, configRevision);
        obj.Metadata.Annotations = new Dictionary<string, string> { [AppliedObject.HashAnnotation] = HashOf(body) };
        obj.Metadata.ResourceVersion = resourceVersion;
        obj.Metadata.NamespaceProperty = Ns;
        if (configRevision is not null && obj is V1Deployment d)
        {
            d.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { [AppliedObject.ConfigRevisionAnnotation] = configRevision };
        }

        return obj;
    }

    private static Dictionary<string, string> Labels(string? service = null)
    {
        var labels = new Dictionary<string, string> { [StackLabels.StackNamespace] = Stack, [StackLabels.AppManagedBy] = StackLabels.ManagedByBerth };
        if (service is not null)
        {
            labels[StackLabels.ServiceName] = service;
        }

        return labels;
    }

    private static V1Secret Secret(string name, string content)
        => new() { ApiVersion = "v1", Kind = "Secret", Type = "Opaque", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = Labels() }, Data = new Dictionary<string, byte[]> { ["value"] = Encoding.UTF8.GetBytes(content) } };

    private static V1Service Service(string name)
        => new() { ApiVersion = "v1", Kind = "Service", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = Labels(name) }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "80-tcp", Port = 80 }] } };

    private static V1PersistentVolumeClaim Claim(string name)
        => new() { ApiVersion = "v1", Kind = "PersistentVolumeClaim", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = Labels() }, Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"] } };

    private static V1Deployment Deployment(string name, string image)
        => new()
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = Labels(name) },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [StackLabels.ServiceName] = name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [StackLabels.ServiceName] = name } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = image }] },
                },
            },
        };

    private static V1Deployment WithSecretVolume(V1Deployment deployment, string secret)
    {
        deployment.Spec.Template.Spec.Volumes = [new V1Volume { Name = "secrets", Secret = new V1SecretVolumeSource { SecretName = secret } }];
        return deployment;
    }
}
