using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>Objects seeded into the Kubernetes API test double as Berth or compose-on-kubernetes would have made them.</summary>
internal static class StackSeeds
{
    private const string ManagedBy = ""","app.kubernetes.io/managed-by":"berth" """;

    /// <summary>Fills <c>@name@</c> placeholders (JSON is full of braces, which interpolation would fight).</summary>
    private static string Fill(string template, params (string Name, object Value)[] values)
        => values.Aggregate(template, (text, v) => text.Replace($"@{v.Name}@", System.Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    public static string Labels(string stack, string service, bool berth = true)
        => Fill("""{"com.docker.stack.namespace":"@stack@","com.docker.service.name":"@service@","com.docker.service.id":"@stack@-@service@"@berth@}""",
            ("stack", stack), ("service", service), ("berth", berth ? ManagedBy : ""));

    public static string Template(string stack, string service, string image, bool berth = true)
        => Fill("""{"metadata":{"labels":@labels@},"spec":{"containers":[{"name":"@service@","image":"@image@"}]}}""",
            ("labels", Labels(stack, service, berth)), ("service", service), ("image", image));

    private static void Workload(KubernetesApiDouble api, string apiVersion, string kind, string ns, string stack, string service, string spec, string image, bool berth, string status)
        => api.Seed(Fill("""
            {"apiVersion":"@apiVersion@","kind":"@kind@",
             "metadata":{"name":"@service@","namespace":"@ns@","labels":@labels@},
             "spec":@spec@,
             "status":@status@}
            """,
            ("apiVersion", apiVersion), ("kind", kind), ("service", service), ("ns", ns), ("labels", Labels(stack, service, berth)),
            ("spec", spec.Replace("@template@", Template(stack, service, image, berth), StringComparison.Ordinal).Replace("@selector@", $$"""{"matchLabels":{"com.docker.service.id":"{{stack}}-{{service}}"} }""", StringComparison.Ordinal)),
            ("status", status)));

    public static void Deployment(KubernetesApiDouble api, string ns, string stack, string service, int replicas = 2, string image = "nginx:1.27", bool berth = true, string status = "{}")
        => Workload(api, "apps/v1", "Deployment", ns, stack, service, $$"""{"replicas":{{replicas}},"selector":@selector@,"template":@template@}""", image, berth, status);

    public static void StatefulSet(KubernetesApiDouble api, string ns, string stack, string service, int replicas = 1, string image = "postgres:17", string status = "{}")
        => Workload(api, "apps/v1", "StatefulSet", ns, stack, service, $$"""{"replicas":{{replicas}},"serviceName":"{{service}}","selector":@selector@,"template":@template@}""", image, berth: true, status);

    public static void DaemonSet(KubernetesApiDouble api, string ns, string stack, string service, string status = "{}")
        => Workload(api, "apps/v1", "DaemonSet", ns, stack, service, """{"selector":@selector@,"template":@template@}""", "fluent-bit:3", berth: true, status);

    public static void Job(KubernetesApiDouble api, string ns, string stack, string service, string status = "{}")
        => Workload(api, "batch/v1", "Job", ns, stack, service, """{"completions":1,"template":@template@}""", "migrate:1", berth: true, status);

    public static void Service(KubernetesApiDouble api, string ns, string stack, string service, string name, string spec, string status = "{}", bool berth = true)
        => api.Seed(Fill("""
            {"apiVersion":"v1","kind":"Service",
             "metadata":{"name":"@name@","namespace":"@ns@","labels":@labels@},
             "spec":@spec@,"status":@status@}
            """,
            ("name", name), ("ns", ns), ("labels", Labels(stack, service, berth)), ("spec", spec), ("status", status)));

    public static void Pod(KubernetesApiDouble api, string ns, string stack, string service, string name, string status, string node = "node-1", string image = "nginx:1.27")
        => api.Seed(Fill("""
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"@name@","namespace":"@ns@","labels":@labels@},
             "spec":{"nodeName":"@node@","containers":[{"name":"web","image":"@image@"}]},
             "status":@status@}
            """,
            ("name", name), ("ns", ns), ("labels", Labels(stack, service)), ("node", node), ("image", image), ("status", status)));

    public static void Event(KubernetesApiDouble api, string ns, string kind, string involved, string reason, string message, DateTime at, string type = "Warning")
        => api.Seed(Fill("""
            {"apiVersion":"v1","kind":"Event",
             "metadata":{"name":"@involved@.@id@","namespace":"@ns@"},
             "involvedObject":{"kind":"@kind@","name":"@involved@","namespace":"@ns@"},
             "reason":"@reason@","message":@message@,"type":"@type@",
             "lastTimestamp":"@at@"}
            """,
            ("involved", involved), ("id", Guid.NewGuid().ToString("N")), ("ns", ns), ("kind", kind), ("reason", reason),
            ("message", JsonValue.Create(message).ToJsonString()), ("type", type), ("at", at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))));

    public static JsonObject Status(string json) => (JsonObject)JsonNode.Parse(json)!;
}
