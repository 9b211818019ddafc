using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// The reconcile pass of the simulated controllers: everything runs under the store's lock, after
/// <see cref="Delay"/>, and writes only when something really changes (so watches see no churn).
/// </summary>
public sealed partial class SimulatedControllers
{
    private const string ServiceLabel = "com.docker.service.name";

    private void OnChanged(ResourceType type, string eventType, JsonObject obj)
    {
        if (!_enabled || _reconciling)
        {
            return;
        }

        if (type == ResourceCatalog.Deployments || type == ResourceCatalog.StatefulSets || type == ResourceCatalog.DaemonSets
            || type == ResourceCatalog.Jobs || (type == ResourceCatalog.Pods && eventType == "DELETED") || type == ResourceCatalog.ReplicaSets)
        {
            SchedulePass();
        }
    }

    /// <summary>Called under the lock: one pass runs after Delay and sees every change made until then.</summary>
    private void SchedulePass()
    {
        if (!_enabled || _passScheduled)
        {
            return;
        }

        _passScheduled = true;
        _ = RunPassAsync();
    }

    private async Task RunPassAsync()
    {
        try
        {
            await Task.Delay(Delay, _shutdown).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_store.Gate)
            {
                _passScheduled = false;
            }

            return;
        }

        lock (_store.Gate)
        {
            _passScheduled = false;
            if (!_enabled)
            {
                return;
            }

            _reconciling = true;
            _startsPending = false;
            try
            {
                foreach (var deployment in _store.List(ResourceCatalog.Deployments, null))
                {
                    Guard(() => ReconcileDeployment(deployment));
                }

                foreach (var statefulSet in _store.List(ResourceCatalog.StatefulSets, null))
                {
                    Guard(() => ReconcileStatefulSet(statefulSet));
                }

                foreach (var daemonSet in _store.List(ResourceCatalog.DaemonSets, null))
                {
                    Guard(() => ReconcileDaemonSet(daemonSet));
                }

                foreach (var job in _store.List(ResourceCatalog.Jobs, null))
                {
                    Guard(() => ReconcileJob(job));
                }
            }
            finally
            {
                _reconciling = false;
            }

            if (_startsPending)
            {
                SchedulePass();
            }
        }
    }

    private static void Guard(Action reconcile)
    {
        try
        {
            reconcile();
        }
        catch (ApiException)
        {
            // The object went away mid-pass (e.g. its namespace was deleted): the next write reconciles again.
        }
    }

    private void ReconcileDeployment(JsonObject deployment)
    {
        var (ns, name, uid, generation) = Identity(deployment);
        var template = Template(deployment);
        var desired = Replicas(deployment);
        var hash = TemplateHash(template);
        var replicaSetName = $"{name}-{hash}";
        foreach (var stale in Owned(ResourceCatalog.ReplicaSets, ns, uid).Where(rs => Name(rs) != replicaSetName))
        {
            _store.Delete(ResourceCatalog.ReplicaSets, ns, Name(stale));
        }

        var extraLabels = new Dictionary<string, string> { ["pod-template-hash"] = hash };
        var replicaSet = _store.Find(ResourceCatalog.ReplicaSets, ns, replicaSetName)?.Object;
        var replicaSetTemplate = WithLabels(template, extraLabels);
        if (replicaSet is null)
        {
            var selector = (JsonObject?)deployment["spec"]?["selector"]?.DeepClone() ?? new JsonObject();
            if (selector["matchLabels"] is not JsonObject matchLabels)
            {
                matchLabels = new JsonObject();
                selector["matchLabels"] = matchLabels;
            }

            matchLabels["pod-template-hash"] = hash;
            replicaSet = _store.Create(ResourceCatalog.ReplicaSets, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = replicaSetName,
                    ["labels"] = replicaSetTemplate["metadata"]?["labels"]?.DeepClone(),
                    ["annotations"] = new JsonObject { ["deployment.kubernetes.io/desired-replicas"] = desired.ToString(CultureInfo.InvariantCulture) },
                    ["ownerReferences"] = new JsonArray(OwnerReference(deployment)),
                },
                ["spec"] = new JsonObject { ["replicas"] = desired, ["selector"] = selector, ["template"] = replicaSetTemplate },
            }, null, keepStatus: false);
            Emit(deployment, "Normal", "ScalingReplicaSet", $"Scaled up replica set {replicaSetName} from 0 to {desired}", "deployment-controller", null);
        }
        else if (Replicas(replicaSet) != desired)
        {
            var resized = (JsonObject)replicaSet.DeepClone();
            resized["spec"]!["replicas"] = desired;
            replicaSet = _store.Replace(ResourceCatalog.ReplicaSets, ns, replicaSetName, resized, null, statusOnly: false);
        }

        var pods = ReconcilePods(replicaSet, ns, replicaSetTemplate, desired, _ => $"{replicaSetName}-{_store.RandomSuffix(5)}", fixedNames: false, job: false);
        var ready = pods.Count(p => p.State == PodStatuses.Running);

        var replicaSetStatus = new JsonObject { ["replicas"] = pods.Count };
        WorkloadConditions.Count(replicaSetStatus, "fullyLabeledReplicas", pods.Count);
        WorkloadConditions.Count(replicaSetStatus, "readyReplicas", ready);
        WorkloadConditions.Count(replicaSetStatus, "availableReplicas", ready);
        replicaSetStatus["observedGeneration"] = replicaSet["metadata"]?["generation"]?.DeepClone();
        _store.ReplaceStatus(ResourceCatalog.ReplicaSets, ns, replicaSetName, replicaSetStatus);

        var previous = deployment["status"] as JsonObject;
        var now = _store.Now();
        var status = new JsonObject { ["observedGeneration"] = generation };
        WorkloadConditions.Count(status, "replicas", pods.Count);
        WorkloadConditions.Count(status, "updatedReplicas", pods.Count);
        WorkloadConditions.Count(status, "readyReplicas", ready);
        WorkloadConditions.Count(status, "availableReplicas", ready);
        WorkloadConditions.Count(status, "unavailableReplicas", Math.Max(0, desired - ready));
        var available = ready >= desired;
        status["conditions"] = new JsonArray(
            WorkloadConditions.Make(previous, "Available", available,
                available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", now),
            WorkloadConditions.Make(previous, "Progressing", true,
                available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                available ? $"ReplicaSet \"{replicaSetName}\" has successfully progressed." : $"ReplicaSet \"{replicaSetName}\" is progressing.", now));
        _store.ReplaceStatus(ResourceCatalog.Deployments, ns, name, status);
    }

    private void ReconcileStatefulSet(JsonObject statefulSet)
    {
        var (ns, name, _, generation) = Identity(statefulSet);
        var template = Template(statefulSet);
        var desired = Replicas(statefulSet);
        var revision = $"{name}-{TemplateHash(template)}";
        var podTemplate = WithLabels(template, new Dictionary<string, string> { ["controller-revision-hash"] = revision });
        var pods = ReconcilePods(statefulSet, ns, podTemplate, desired, i => $"{name}-{i}", fixedNames: true, job: false);
        var ready = pods.Count(p => p.State == PodStatuses.Running);
        var status = new JsonObject { ["observedGeneration"] = generation, ["replicas"] = pods.Count };
        WorkloadConditions.Count(status, "readyReplicas", ready);
        WorkloadConditions.Count(status, "currentReplicas", pods.Count);
        WorkloadConditions.Count(status, "updatedReplicas", pods.Count);
        WorkloadConditions.Count(status, "availableReplicas", ready);
        status["currentRevision"] = revision;
        status["updateRevision"] = revision;
        status["collisionCount"] = 0;
        _store.ReplaceStatus(ResourceCatalog.StatefulSets, ns, name, status);
    }

    private void ReconcileDaemonSet(JsonObject daemonSet)
    {
        var (ns, name, _, generation) = Identity(daemonSet);
        var template = Template(daemonSet);
        var hash = TemplateHash(template);
        var podTemplate = WithLabels(template, new Dictionary<string, string>
        {
            ["controller-revision-hash"] = hash,
            ["pod-template-generation"] = generation.ToString(CultureInfo.InvariantCulture),
        });
        var pods = ReconcilePods(daemonSet, ns, podTemplate, 1, _ => $"{name}-{_store.RandomSuffix(5)}", fixedNames: false, job: false);
        var ready = pods.Count(p => p.State == PodStatuses.Running);
        var status = new JsonObject
        {
            ["currentNumberScheduled"] = pods.Count(p => p.State != nameof(PodProblem.Unschedulable)),
            ["numberMisscheduled"] = 0,
            ["desiredNumberScheduled"] = 1,
            ["numberReady"] = ready,
            ["observedGeneration"] = generation,
            ["updatedNumberScheduled"] = pods.Count,
        };
        WorkloadConditions.Count(status, "numberAvailable", ready);
        WorkloadConditions.Count(status, "numberUnavailable", 1 - ready);
        _store.ReplaceStatus(ResourceCatalog.DaemonSets, ns, name, status);
    }

    private void ReconcileJob(JsonObject job)
    {
        var (ns, name, uid, _) = Identity(job);
        if (job["spec"]?["suspend"]?.ToString() == "true")
        {
            return;
        }

        var completions = job["spec"]?["completions"] is JsonValue c ? int.Parse(c.ToJsonString(), CultureInfo.InvariantCulture) : 1;
        var podTemplate = WithLabels(Template(job), new Dictionary<string, string>
        {
            ["batch.kubernetes.io/controller-uid"] = uid,
            ["batch.kubernetes.io/job-name"] = name,
            ["controller-uid"] = uid,
            ["job-name"] = name,
        });
        var pods = ReconcilePods(job, ns, podTemplate, completions, _ => $"{name}-{_store.RandomSuffix(5)}", fixedNames: false, job: true);
        var succeeded = pods.Count(p => p.State == PodStatuses.Succeeded);
        var previous = job["status"] as JsonObject;
        var now = _store.Now();
        var status = new JsonObject { ["startTime"] = previous?["startTime"]?.DeepClone() ?? now };
        WorkloadConditions.Count(status, "active", pods.Count - succeeded);
        WorkloadConditions.Count(status, "succeeded", succeeded);
        status["ready"] = 0;
        status["terminating"] = 0;
        status["uncountedTerminatedPods"] = new JsonObject();
        if (succeeded >= completions)
        {
            status["completionTime"] = previous?["completionTime"]?.DeepClone() ?? now;
            status["conditions"] = new JsonArray(
                WorkloadConditions.Make(previous, "SuccessCriteriaMet", true, "CompletionsReached", "Reached expected number of succeeded pods", now, withUpdateTime: false),
                WorkloadConditions.Make(previous, "Complete", true, "CompletionsReached", "Reached expected number of succeeded pods", now, withUpdateTime: false));
            foreach (var condition in status["conditions"]!.AsArray().OfType<JsonObject>())
            {
                condition["lastProbeTime"] = condition["lastTransitionTime"]?.DeepClone();
            }
        }

        _store.ReplaceStatus(ResourceCatalog.Jobs, ns, name, status);
        if (succeeded >= completions && previous?["completionTime"] is null)
        {
            Emit(job, "Normal", "Completed", "Job completed", "job-controller", null);
        }
    }

    /// <summary>
    /// Makes the owner's pods match the template and count: pods of another template revision are replaced,
    /// extra pods removed, missing ones created; each pod's status follows the service's simulated problem.
    /// </summary>
    private List<(JsonObject Pod, string State)> ReconcilePods(JsonObject owner, string ns, JsonObject template, int count, Func<int, string> nameFor, bool fixedNames, bool job)
    {
        var ownerUid = owner["metadata"]!["uid"]!.ToString();
        var templateLabels = template["metadata"]?["labels"] as JsonObject ?? new JsonObject();
        var pods = Owned(ResourceCatalog.Pods, ns, ownerUid);
        foreach (var stale in pods.Where(p => !LabelsInclude(p, templateLabels)).ToList())
        {
            _store.Delete(ResourceCatalog.Pods, ns, Name(stale));
            pods.Remove(stale);
        }

        if (fixedNames)
        {
            var wanted = Enumerable.Range(0, count).Select(nameFor).ToHashSet(StringComparer.Ordinal);
            foreach (var extra in pods.Where(p => !wanted.Contains(Name(p))).ToList())
            {
                _store.Delete(ResourceCatalog.Pods, ns, Name(extra));
                pods.Remove(extra);
            }

            foreach (var missing in wanted.Where(n => pods.All(p => Name(p) != n)).Order(StringComparer.Ordinal))
            {
                pods.Add(CreatePod(owner, ns, template, missing, statefulSetPod: true, job));
            }
        }
        else
        {
            foreach (var extra in pods.OrderByDescending(Name, StringComparer.Ordinal).Take(Math.Max(0, pods.Count - count)).ToList())
            {
                _store.Delete(ResourceCatalog.Pods, ns, Name(extra));
                pods.Remove(extra);
            }

            for (var i = pods.Count; i < count; i++)
            {
                pods.Add(CreatePod(owner, ns, template, nameFor(i), statefulSetPod: false, job));
            }
        }

        var startsLeft = StartPodsOneAtATime ? 1 : int.MaxValue;
        return pods.OrderBy(Name, StringComparer.Ordinal).Select(p => (p, UpdatePodState(p, job, ref startsLeft))).ToList();
    }

    private JsonObject CreatePod(JsonObject owner, string ns, JsonObject template, string name, bool statefulSetPod, bool job)
    {
        var metadata = (JsonObject?)template["metadata"]?.DeepClone() ?? new JsonObject();
        metadata["name"] = name;
        metadata["ownerReferences"] = new JsonArray(OwnerReference(owner));
        if (!statefulSetPod)
        {
            metadata["generateName"] = name[..^5];
        }
        else
        {
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["statefulset.kubernetes.io/pod-name"] = name;
            labels["apps.kubernetes.io/pod-index"] = name[(name.LastIndexOf('-') + 1)..];
            metadata["labels"] = labels;
        }

        var spec = (JsonObject?)template["spec"]?.DeepClone() ?? new JsonObject();
        spec["nodeName"] = NodeName;
        if (job && spec["restartPolicy"] is null)
        {
            spec["restartPolicy"] = "Never";
        }

        return _store.Create(ResourceCatalog.Pods, ns, new JsonObject { ["metadata"] = metadata, ["spec"] = spec }, null, keepStatus: false);
    }

    /// <summary>Brings the pod's status to what the simulated kubelet reports now; returns that state.</summary>
    private string UpdatePodState(JsonObject pod, bool job, ref int startsLeft)
    {
        var service = pod["metadata"]?["labels"]?[ServiceLabel]?.ToString();
        var state = service is not null && _problems.TryGetValue(service, out var problem) ? problem.ToString()
            : job ? PodStatuses.Succeeded : PodStatuses.Running;
        var uid = pod["metadata"]!["uid"]!.ToString();
        var known = _podStates.TryGetValue(uid, out var current);
        if (state is PodStatuses.Running or PodStatuses.Succeeded && (!known || current == PodStatuses.ContainerCreating))
        {
            // A pod that has not started yet starts now only while this pass's start budget lasts.
            if (startsLeft == 0)
            {
                state = PodStatuses.ContainerCreating;
                _startsPending = true;
            }
            else
            {
                startsLeft--;
            }
        }

        if (known && current == state)
        {
            return state;
        }

        var ns = pod["metadata"]!["namespace"]!.ToString();
        var name = Name(pod);
        var scheduled = state != nameof(PodProblem.Unschedulable);
        if ((pod["spec"]?["nodeName"] is not null) != scheduled)
        {
            var moved = (JsonObject)pod.DeepClone();
            if (scheduled)
            {
                moved["spec"]!["nodeName"] = NodeName;
            }
            else
            {
                (moved["spec"] as JsonObject)?.Remove("nodeName");
            }

            pod = _store.Replace(ResourceCatalog.Pods, ns, name, moved, null, statusOnly: false);
        }

        var ip = pod["status"]?["podIP"]?.ToString() ?? $"10.244.0.{(++_podIps % 250) + 2}";
        _store.ReplaceStatus(ResourceCatalog.Pods, ns, name, PodStatuses.For(pod, state, _store.Now(), ip));
        _podStates[uid] = state;
        foreach (var (type, reason, message, component, container) in PodStatuses.EventsFor(pod, state, known ? current : null))
        {
            Emit(pod, type, reason, message, component, container);
        }

        return state;
    }

    private void Emit(JsonObject about, string type, string reason, string message, string component, string? container)
    {
        var now = _store.Now();
        var ns = about["metadata"]!["namespace"]!.ToString();
        var involved = new JsonObject
        {
            ["kind"] = about["kind"]?.DeepClone(),
            ["namespace"] = ns,
            ["name"] = Name(about),
            ["uid"] = about["metadata"]!["uid"]?.DeepClone(),
            ["apiVersion"] = about["apiVersion"]?.DeepClone(),
            ["resourceVersion"] = about["metadata"]!["resourceVersion"]?.DeepClone(),
        };
        if (container is not null)
        {
            involved["fieldPath"] = $"spec.containers{{{container}}}";
        }

        _store.Create(ResourceCatalog.Events, ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"{Name(about)}.{++_events:x16}" },
            ["involvedObject"] = involved,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = component == "kubelet"
                ? new JsonObject { ["component"] = component, ["host"] = NodeName }
                : new JsonObject { ["component"] = component },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["type"] = type,
            ["reportingComponent"] = component,
            ["reportingInstance"] = component == "kubelet" ? NodeName : "",
        }, null, keepStatus: false);
    }

    private List<JsonObject> Owned(ResourceType type, string ns, string ownerUid) =>
        _store.List(type, ns).Where(o => o["metadata"]?["ownerReferences"] is JsonArray owners && owners.Any(r => r?["uid"]?.ToString() == ownerUid)).ToList();

    private static JsonObject OwnerReference(JsonObject owner) => new()
    {
        ["apiVersion"] = owner["apiVersion"]?.DeepClone(),
        ["kind"] = owner["kind"]?.DeepClone(),
        ["name"] = Name(owner),
        ["uid"] = owner["metadata"]!["uid"]?.DeepClone(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static (string Namespace, string Name, string Uid, long Generation) Identity(JsonObject obj)
    {
        var metadata = obj["metadata"]!;
        var generation = metadata["generation"] is JsonValue g ? long.Parse(g.ToJsonString(), CultureInfo.InvariantCulture) : 1;
        return (metadata["namespace"]!.ToString(), metadata["name"]!.ToString(), metadata["uid"]!.ToString(), generation);
    }

    private static string Name(JsonObject obj) => obj["metadata"]!["name"]!.ToString();

    private static JsonObject Template(JsonObject workload) => (JsonObject?)workload["spec"]?["template"]?.DeepClone() ?? new JsonObject();

    private static int Replicas(JsonObject workload) =>
        workload["spec"]?["replicas"] is JsonValue replicas ? int.Parse(replicas.ToJsonString(), CultureInfo.InvariantCulture) : 1;

    private static JsonObject WithLabels(JsonObject template, IReadOnlyDictionary<string, string> extra)
    {
        var copy = (JsonObject)template.DeepClone();
        if (copy["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            copy["metadata"] = metadata;
        }

        if (metadata["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            metadata["labels"] = labels;
        }

        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }

        return copy;
    }

    private static bool LabelsInclude(JsonObject pod, JsonObject labels) =>
        labels.All(l => pod["metadata"]?["labels"]?[l.Key]?.ToString() == l.Value?.ToString());

    /// <summary>A stable short hash of the pod template (canonical JSON), like pod-template-hash.</summary>
    private static string TemplateHash(JsonObject template)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(Canonical(template)))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var text = new StringBuilder();
        for (var i = 0; i < 10; i++)
        {
            text.Append(alphabet[(int)(hash % (ulong)alphabet.Length)]);
            hash /= (ulong)alphabet.Length;
        }

        return text.ToString();
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject map => "{" + string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray list => "[" + string.Join(",", list.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
