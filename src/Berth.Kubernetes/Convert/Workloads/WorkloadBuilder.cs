using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Services;
using Berth.Kubernetes.Convert.Storage;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Workloads;

/// <summary>Wraps the pod template in the workload the service's kind asks for.</summary>
internal static class WorkloadBuilder
{
    public static void Build(ConversionContext context, ServiceUnit unit, V1PodTemplateSpec pod, StoragePlan storage)
    {
        var service = unit.ComposeName;
        var node = unit.Node;
        var deploy = node.Map("deploy");
        context.Claim("Workload", unit.Name, $"service '{service}'", node.Location, $"services.{service}");
        var meta = context.Meta(unit.Name, unit.Labels);
        var selector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) };
        var replicas = Replicas(unit);
        var update = UpdateStrategy.Read(context, unit);
        var restart = RestartCondition(context, unit);
        var history = unit.Settings.RevisionHistoryLimit;

        if (unit.Kind != WorkloadKind.Job && restart is "none" or "on-failure")
        {
            context.Fidelity.Approximated(service, RestartKey(unit), $"'{(RestartKey(unit) == "restart" ? node.Str("restart") : restart)}': pods of a {unit.Kind.Name()} always restart; use deploy.mode replicated-job for run-to-completion tasks", RestartLocation(unit));
        }

        if (deploy?.ContainsKey("rollback_config") == true)
        {
            context.Fidelity.Unsupported(service, "deploy.rollback_config", "Kubernetes does not roll back on its own; 'kubectl rollout undo' uses the update strategy", deploy.LocationOf("rollback_config"));
        }

        if (deploy?.Map("restart_policy") is { } policy)
        {
            foreach (var key in new[] { "delay", "window" })
            {
                if (policy.ContainsKey(key))
                {
                    context.Fidelity.Unsupported(service, $"deploy.restart_policy.{key}", "the kubelet restarts with its own exponential back-off", policy.LocationOf(key));
                }
            }

            if (policy.ContainsKey("max_attempts") && unit.Kind != WorkloadKind.Job)
            {
                context.Fidelity.Unsupported(service, "deploy.restart_policy.max_attempts", "long-running pods are restarted without limit", policy.LocationOf("max_attempts"));
            }
        }

        switch (unit.Kind)
        {
            case WorkloadKind.Deployment:
                context.Add(new V1Deployment
                {
                    ApiVersion = "apps/v1",
                    Kind = "Deployment",
                    Metadata = meta,
                    Spec = new V1DeploymentSpec
                    {
                        Replicas = replicas,
                        RevisionHistoryLimit = history,
                        Selector = selector,
                        Template = pod,
                        MinReadySeconds = update.MinReadySeconds,
                        Strategy = update.MaxUnavailable is null
                            ? null
                            : new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = update.MaxUnavailable, MaxSurge = update.MaxSurge } },
                    },
                });
                break;
            case WorkloadKind.StatefulSet:
                if (update.StartFirst)
                {
                    context.Fidelity.Approximated(service, "deploy.update_config.order", "StatefulSets always stop a pod before starting its replacement (stable identity)", deploy!.Map("update_config")!.LocationOf("order"));
                }
                else if (deploy?.Map("update_config")?.ContainsKey("parallelism") == true)
                {
                    context.Fidelity.Approximated(service, "deploy.update_config.parallelism", "StatefulSets replace one pod at a time", deploy.Map("update_config")!.LocationOf("parallelism"));
                }

                context.Add(new V1StatefulSet
                {
                    ApiVersion = "apps/v1",
                    Kind = "StatefulSet",
                    Metadata = meta,
                    Spec = new V1StatefulSetSpec
                    {
                        Replicas = replicas,
                        RevisionHistoryLimit = history,
                        Selector = selector,
                        ServiceName = GoverningService.NameFor(unit),
                        Template = pod,
                        MinReadySeconds = update.MinReadySeconds,
                        VolumeClaimTemplates = storage.For(unit).ClaimTemplates.IsEmpty ? null : [.. storage.For(unit).ClaimTemplates],
                    },
                });
                break;
            case WorkloadKind.DaemonSet:
                if (deploy?.ContainsKey("replicas") == true)
                {
                    context.Fidelity.Ignored(service, "deploy.replicas", "a global service runs one pod per node", deploy.LocationOf("replicas"));
                }

                context.Add(new V1DaemonSet
                {
                    ApiVersion = "apps/v1",
                    Kind = "DaemonSet",
                    Metadata = meta,
                    Spec = new V1DaemonSetSpec
                    {
                        RevisionHistoryLimit = history,
                        Selector = selector,
                        Template = pod,
                        MinReadySeconds = update.MinReadySeconds,
                        UpdateStrategy = update.MaxUnavailable is null
                            ? null
                            : new V1DaemonSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = update.MaxUnavailable, MaxSurge = update.MaxSurge } },
                    },
                });
                break;
            case WorkloadKind.Job:
                BuildJob(context, unit, pod, meta, restart);
                break;
        }

        if (deploy is not null)
        {
            context.Fidelity.Mapped(service, "deploy", unit.Kind.Name(), node.LocationOf("deploy"));
        }
    }

    private static void BuildJob(ConversionContext context, ServiceUnit unit, V1PodTemplateSpec pod, V1ObjectMeta meta, string? restart)
    {
        var deploy = unit.Node.Map("deploy");
        var global = deploy?.Str("mode") == "global-job";
        if (global)
        {
            context.Fidelity.Approximated(unit.ComposeName, "deploy.mode", "Kubernetes has no one-per-node Job: one Job with one completion", deploy!.LocationOf("mode"));
        }

        // Swarm jobs restart on failure by default; Jobs cannot use Always.
        pod.Spec.RestartPolicy = restart == "none" ? "Never" : "OnFailure";
        var completions = global ? 1 : Replicas(unit) ?? 1;
        context.Add(new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = meta,
            Spec = new V1JobSpec
            {
                Completions = completions,
                Parallelism = completions,
                BackoffLimit = deploy?.Map("restart_policy")?.Int("max_attempts") is { } attempts ? (int)attempts : null,
                Template = pod,
            },
        });
    }

    private static int? Replicas(ServiceUnit unit)
    {
        var replicas = unit.Node.Map("deploy")?.Int("replicas") ?? unit.Node.Int("scale");
        return replicas is { } r ? (int)r : 1;
    }

    private static string? RestartCondition(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Node.Map("deploy")?.Map("restart_policy")?.Str("condition") is { } condition)
        {
            return condition;
        }

        var restart = unit.Node.Str("restart");
        _ = context;
        return restart switch
        {
            null or "always" or "unless-stopped" => null,
            "no" => "none",
            _ when restart.StartsWith("on-failure", StringComparison.Ordinal) => "on-failure",
            _ => null,
        };
    }

    private static string RestartKey(ServiceUnit unit)
        => unit.Node.Map("deploy")?.Map("restart_policy")?.ContainsKey("condition") == true ? "deploy.restart_policy.condition" : "restart";

    private static Compose.Diagnostics.SourceLocation RestartLocation(ServiceUnit unit)
        => unit.Node.Map("deploy")?.Map("restart_policy") is { } p && p.ContainsKey("condition") ? p.LocationOf("condition") : unit.Node.LocationOf("restart");
}
