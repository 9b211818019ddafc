using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>Typed API objects from the JSON the API server returns, as the waiter and reader receive them.</summary>
internal static class KubeObjects
{
    public static readonly DateTime Now = new(2026, 11, 28, 3, 0, 0, DateTimeKind.Utc);

    public static T Parse<T>(string json) => KubernetesJson.Deserialize<T>(json);

    public static V1Pod Pod(string name, string service, string status, string stack = "shop", string? extraMetadata = null, string? spec = null)
        => Parse<V1Pod>($$"""
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"{{name}}","namespace":"default","uid":"0123456789abcdef-{{name}}",
               "labels":{"com.docker.stack.namespace":"{{stack}}","com.docker.service.name":"{{service}}","com.docker.service.id":"{{stack}}-{{service}}"}{{extraMetadata}}},
             "spec":{{spec ?? $$"""{"containers":[{"name":"{{service}}","image":"nginx:1.27"}]}"""}},
             "status":{{status}}}
            """);

    public static Corev1Event Event(string kind, string name, string reason, string message, DateTime at, string type = "Warning")
        => Parse<Corev1Event>($$"""
            {"metadata":{"name":"{{name}}.{{at.Ticks}}","namespace":"default"},
             "involvedObject":{"kind":"{{kind}}","name":"{{name}}","namespace":"default"},
             "reason":"{{reason}}","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"type":"{{type}}",
             "lastTimestamp":"{{at:yyyy-MM-ddTHH:mm:ssZ}}"}
            """);

    /// <summary>A pod the kubelet cannot pull the image of (as the kubelet reports it after a few attempts).</summary>
    public const string ImagePullBackOff = """
        {"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
         "containerStatuses":[{"name":"web","image":"nginx:nope","imageID":"","ready":false,"restartCount":0,"started":false,
           "state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"nginx:nope\""}}}]}
        """;

    public const string CrashLoop = """
        {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"x","ready":false,"restartCount":4,"started":false,
           "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 1m20s restarting failed container=web pod=web-1_default(abc)"}},
           "lastState":{"terminated":{"exitCode":1,"reason":"Error","startedAt":"2026-11-28T02:59:00Z","finishedAt":"2026-11-28T02:59:01Z"}}}]}
        """;

    /// <summary>Between back-offs a crash-looping container runs for a moment and looks healthy.</summary>
    public const string CrashLoopBetweenRestarts = """
        {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"x","ready":true,"restartCount":5,"started":true,
           "state":{"running":{"startedAt":"2026-11-28T03:00:00Z"}},
           "lastState":{"terminated":{"exitCode":1,"reason":"Error","startedAt":"2026-11-28T02:59:00Z","finishedAt":"2026-11-28T02:59:01Z"}}}]}
        """;

    public const string OomKilled = """
        {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"x","ready":false,"restartCount":2,"started":false,
           "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 20s restarting failed container=web"}},
           "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"2026-11-28T02:59:00Z","finishedAt":"2026-11-28T02:59:30Z"}}}]}
        """;

    public const string Unschedulable = """
        {"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable",
           "message":"0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."}]}
        """;

    public const string ConfigError = """
        {"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"","ready":false,"restartCount":0,
           "state":{"waiting":{"reason":"CreateContainerConfigError","message":"secret \"db-password\" not found"}}}]}
        """;

    public const string RunningUnready = """
        {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"x","ready":false,"restartCount":0,"started":true,
           "state":{"running":{"startedAt":"2026-11-28T02:58:00Z"}}}]}
        """;

    public const string RunningReady = """
        {"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"x","ready":true,"restartCount":1,"started":true,
           "state":{"running":{"startedAt":"2026-11-28T02:58:00Z"}}}]}
        """;

    public const string Creating = """
        {"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}],
         "containerStatuses":[{"name":"web","image":"nginx:1.27","imageID":"","ready":false,"restartCount":0,
           "state":{"waiting":{"reason":"ContainerCreating"}}}]}
        """;
}
