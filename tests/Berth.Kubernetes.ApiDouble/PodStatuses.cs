using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>The status the simulated kubelet reports for a pod: running and ready, completed, or one of the problems.</summary>
internal static class PodStatuses
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string ContainerCreating = "ContainerCreating";

    public static JsonObject For(JsonObject pod, string state, string now, string podIp)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return state switch
        {
            Running => Status("Running", now, podIp, Conditions(now, scheduled: true, ready: true),
                containers.Select(c => Container(c, now, ready: true, started: true, state: new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } })).ToList()),
            ContainerCreating => Status("Pending", now, podIp, Conditions(now, scheduled: true, ready: false, containers: containers),
                containers.Select(c => Container(c, now, ready: false, started: false, state: Waiting("ContainerCreating", null))).ToList()),
            Succeeded => Status("Succeeded", now, podIp, Conditions(now, scheduled: true, ready: false, reason: "PodCompleted"),
                containers.Select(c => Container(c, now, ready: false, started: false, state: Terminated(now, 0, "Completed"))).ToList()),
            nameof(PodProblem.ImagePullBackOff) => Status("Pending", now, podIp, Conditions(now, scheduled: true, ready: false, containers: containers),
                containers.Select(c => Container(c, now, ready: false, started: false, state: Waiting("ImagePullBackOff", $"Back-off pulling image \"{Image(c)}\""))).ToList()),
            nameof(PodProblem.CrashLoopBackOff) => Status("Running", now, podIp, Conditions(now, scheduled: true, ready: false, containers: containers),
                containers.Select(c => Crashed(c, pod, now, 1, "Error")).ToList()),
            nameof(PodProblem.OOMKilled) => Status("Running", now, podIp, Conditions(now, scheduled: true, ready: false, containers: containers),
                containers.Select(c => Crashed(c, pod, now, 137, "OOMKilled")).ToList()),
            nameof(PodProblem.ReadinessProbeFailed) => Status("Running", now, podIp, Conditions(now, scheduled: true, ready: false, containers: containers),
                containers.Select(c => Container(c, now, ready: false, started: true, state: new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } })).ToList()),
            nameof(PodProblem.Unschedulable) => new JsonObject
            {
                ["phase"] = "Pending",
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PodScheduled",
                    ["status"] = "False",
                    ["lastProbeTime"] = null,
                    ["lastTransitionTime"] = now,
                    ["reason"] = "Unschedulable",
                    ["message"] = UnschedulableMessage,
                }),
                ["qosClass"] = "BestEffort",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown simulated pod state."),
        };
    }

    public const string UnschedulableMessage =
        "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

    /// <summary>The Warning events the kubelet or scheduler emits when a pod gets into <paramref name="state"/>.</summary>
    public static IEnumerable<(string Type, string Reason, string Message, string Component, string? Container)> EventsFor(JsonObject pod, string state, string? previous)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var podName = pod["metadata"]!["name"]!.ToString();
        var ns = pod["metadata"]!["namespace"]!.ToString();
        var uid = pod["metadata"]!["uid"]!.ToString();
        var scheduled = ("Normal", "Scheduled", $"Successfully assigned {ns}/{podName} to {SimulatedControllers.NodeName}", "default-scheduler", (string?)null);
        var wasScheduled = previous is not null && previous != nameof(PodProblem.Unschedulable);
        switch (state)
        {
            case nameof(PodProblem.Unschedulable):
                yield return ("Warning", "FailedScheduling", UnschedulableMessage, "default-scheduler", null);
                yield break;
            case ContainerCreating:
                if (!wasScheduled)
                {
                    yield return scheduled;
                }

                yield break;
            case Running or Succeeded or nameof(PodProblem.ReadinessProbeFailed):
                if (!wasScheduled)
                {
                    yield return scheduled;
                }

                foreach (var c in containers)
                {
                    yield return ("Normal", "Pulled", $"Container image \"{Image(c)}\" already present on machine", "kubelet", Name(c));
                    yield return ("Normal", "Created", $"Created container: {Name(c)}", "kubelet", Name(c));
                    yield return ("Normal", "Started", $"Started container {Name(c)}", "kubelet", Name(c));
                    if (state == nameof(PodProblem.ReadinessProbeFailed))
                    {
                        yield return ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "kubelet", Name(c));
                    }
                }

                yield break;
            case nameof(PodProblem.ImagePullBackOff):
                if (!wasScheduled)
                {
                    yield return scheduled;
                }

                foreach (var c in containers)
                {
                    var image = Image(c);
                    yield return ("Normal", "Pulling", $"Pulling image \"{image}\"", "kubelet", Name(c));
                    yield return ("Warning", "Failed",
                        $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/{image}\": not found", "kubelet", Name(c));
                    yield return ("Warning", "Failed", "Error: ErrImagePull", "kubelet", Name(c));
                    yield return ("Normal", "BackOff", $"Back-off pulling image \"{image}\"", "kubelet", Name(c));
                    yield return ("Warning", "Failed", "Error: ImagePullBackOff", "kubelet", Name(c));
                }

                yield break;
            default:
                if (!wasScheduled)
                {
                    yield return scheduled;
                }

                foreach (var c in containers)
                {
                    yield return ("Normal", "Started", $"Started container {Name(c)}", "kubelet", Name(c));
                    yield return ("Warning", "BackOff", $"Back-off restarting failed container {Name(c)} in pod {podName}_{ns}({uid})", "kubelet", Name(c));
                }

                yield break;
        }
    }

    private static JsonObject Status(string phase, string now, string podIp, JsonArray conditions, List<JsonObject> containerStatuses) => new()
    {
        ["phase"] = phase,
        ["conditions"] = conditions,
        ["hostIP"] = "10.0.0.10",
        ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "10.0.0.10" }),
        ["podIP"] = podIp,
        ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
        ["startTime"] = now,
        ["containerStatuses"] = new JsonArray(containerStatuses.Select(c => (JsonNode)c).ToArray()),
        ["qosClass"] = "BestEffort",
    };

    private static JsonArray Conditions(string now, bool scheduled, bool ready, string reason = "ContainersNotReady", List<JsonObject>? containers = null)
    {
        var notReady = $"containers with unready status: [{string.Join(' ', (containers ?? []).Select(Name))}]";
        JsonObject Condition(string type, bool status, bool explain = false) => new()
        {
            ["type"] = type,
            ["status"] = status ? "True" : "False",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = now,
            ["reason"] = explain ? reason : null,
            ["message"] = explain && containers is not null ? notReady : null,
        };

        var conditions = new JsonArray(
            Condition("PodReadyToStartContainers", scheduled),
            Condition("Initialized", true),
            Condition("Ready", ready, explain: !ready),
            Condition("ContainersReady", ready, explain: !ready),
            Condition("PodScheduled", scheduled));
        foreach (var condition in conditions.OfType<JsonObject>())
        {
            foreach (var key in condition.Where(p => p.Value is null && p.Key != "lastProbeTime").Select(p => p.Key).ToList())
            {
                condition.Remove(key);
            }
        }

        return conditions;
    }

    private static JsonObject Container(JsonObject container, string now, bool ready, bool started, JsonObject state, int restarts = 0, JsonObject? lastState = null) => new()
    {
        ["name"] = Name(container),
        ["state"] = state,
        ["lastState"] = lastState ?? new JsonObject(),
        ["ready"] = ready,
        ["restartCount"] = restarts,
        ["image"] = Image(container),
        ["imageID"] = ready || started ? $"docker.io/library/{Image(container)}@sha256:{new string('0', 64)}" : "",
        ["containerID"] = started ? $"containerd://{new string('1', 64)}" : null,
        ["started"] = started,
    };

    private static JsonObject Crashed(JsonObject container, JsonObject pod, string now, int exitCode, string reason)
    {
        var podName = pod["metadata"]!["name"]!.ToString();
        var ns = pod["metadata"]!["namespace"]!.ToString();
        var uid = pod["metadata"]!["uid"]?.ToString() ?? "";
        var waiting = Waiting("CrashLoopBackOff", $"back-off 40s restarting failed container={Name(container)} pod={podName}_{ns}({uid})");
        return Container(container, now, ready: false, started: false, state: waiting, restarts: 3, lastState: Terminated(now, exitCode, reason));
    }

    private static JsonObject Waiting(string reason, string? message)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (message is not null)
        {
            waiting["message"] = message;
        }

        return new JsonObject { ["waiting"] = waiting };
    }

    private static JsonObject Terminated(string now, int exitCode, string reason) => new()
    {
        ["terminated"] = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = reason,
            ["startedAt"] = now,
            ["finishedAt"] = now,
            ["containerID"] = $"containerd://{new string('1', 64)}",
        },
    };

    private static string Name(JsonObject container) => container["name"]?.ToString() ?? "";

    private static string Image(JsonObject container) => container["image"]?.ToString() ?? "";
}
