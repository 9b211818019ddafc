using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Stands in for kube-controller-manager and the kubelet in the test double (off by default): after a workload
/// write it makes pods from the template and reports workload status; <see cref="FailPods"/> makes a
/// service's pods fail the way real pods do.
/// </summary>
public sealed partial class SimulatedControllers
{
    private readonly ObjectStore _store;
    private readonly CancellationToken _shutdown;
    private readonly Dictionary<string, PodProblem> _problems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _podStates = new(StringComparer.Ordinal);
    private bool _enabled;
    private bool _passScheduled;
    private bool _reconciling;
    private bool _startsPending;
    private int _podIps;
    private int _events;

    internal SimulatedControllers(ObjectStore store, CancellationToken shutdown)
    {
        _store = store;
        _shutdown = shutdown;
        store.Changed += OnChanged;
    }

    /// <summary>The simulated node every pod is scheduled on.</summary>
    public const string NodeName = "node-1";

    /// <summary>Turns the simulation on or off; turning it on reconciles the workloads already stored.</summary>
    public bool Enabled
    {
        get
        {
            lock (_store.Gate)
            {
                return _enabled;
            }
        }
        set
        {
            lock (_store.Gate)
            {
                _enabled = value;
                if (value)
                {
                    SchedulePass();
                }
            }
        }
    }

    /// <summary>How long after a workload write the simulated controllers react.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// When true, each reconcile pass starts at most one pod per workload (the others wait in
    /// ContainerCreating), so readiness climbs 0/3, 1/3, 2/3, 3/3 one <see cref="Delay"/> apart, like a real
    /// rollout seen by a progress display. Off by default: all pods start in the first pass.
    /// </summary>
    public bool StartPodsOneAtATime { get; set; }

    /// <summary>From now on, pods labelled com.docker.service.name=<paramref name="serviceName"/> have <paramref name="problem"/>.</summary>
    public void FailPods(string serviceName, PodProblem problem)
    {
        lock (_store.Gate)
        {
            _problems[serviceName] = problem;
            SchedulePass();
        }
    }

    /// <summary>Pods of <paramref name="serviceName"/> (or of every service) recover.</summary>
    public void ClearProblems(string? serviceName = null)
    {
        lock (_store.Gate)
        {
            if (serviceName is null)
            {
                _problems.Clear();
            }
            else
            {
                _problems.Remove(serviceName);
            }

            SchedulePass();
        }
    }


    /// <summary>
    /// Completes when no reconcile pass is pending or running: after a write returns, awaiting this makes the
    /// simulation's reaction visible without polling.
    /// </summary>
    public async Task WaitUntilIdleAsync(CancellationToken ct = default)
    {
        while (true)
        {
            lock (_store.Gate)
            {
                if (!_passScheduled)
                {
                    return;
                }
            }

            await Task.Delay(5, ct).ConfigureAwait(false);
        }
    }

    internal static JsonObject Node() => KubernetesApiDouble.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Node",
          "metadata": { "name": "{{NodeName}}", "labels": { "kubernetes.io/hostname": "{{NodeName}}", "kubernetes.io/os": "linux" } },
          "status": {
            "conditions": [ { "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status" } ],
            "addresses": [ { "type": "InternalIP", "address": "10.0.0.10" }, { "type": "Hostname", "address": "{{NodeName}}" } ],
            "capacity": { "cpu": "2", "memory": "4Gi", "pods": "110" },
            "allocatable": { "cpu": "2", "memory": "4Gi", "pods": "110" }
          }
        }
        """);
}
