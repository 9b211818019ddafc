using System.Globalization;
using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>Restart policy, service mode (replicas, global, jobs) and update/rollback configs.</summary>
internal static class ServicePolicies
{
    public static SwarmRestartPolicy? RestartPolicy(ConversionContext context, MappingNode service, MappingNode deploy, string path)
    {
        if (deploy.Map("restart_policy") is { } policy)
        {
            return new SwarmRestartPolicy
            {
                Condition = policy.Str("condition"),
                Delay = policy.Duration("delay"),
                MaxAttempts = policy.Int("max_attempts") is { } n ? (ulong)Math.Max(0, n) : null,
                Window = policy.Duration("window"),
            };
        }

        // docker stack falls back to the Compose 'restart' key when deploy.restart_policy is absent.
        if (service.Str("restart") is not { } restart)
        {
            return null;
        }

        switch (restart)
        {
            case "no":
                return null;
            case "always" or "unless-stopped":
                return new SwarmRestartPolicy { Condition = "any" };
            case "on-failure":
                return new SwarmRestartPolicy { Condition = "on-failure" };
        }

        if (restart.StartsWith("on-failure:", StringComparison.Ordinal)
            && ulong.TryParse(restart["on-failure:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var attempts))
        {
            return new SwarmRestartPolicy { Condition = "on-failure", MaxAttempts = attempts };
        }

        context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"invalid restart policy '{restart}'", service["restart"]!.Location, path + ".restart", "use no, always, unless-stopped, on-failure or on-failure:N");
        return null;
    }

    public static ServiceMode Mode(ConversionContext context, MappingNode service, MappingNode deploy, string path)
    {
        // 'scale' is the Compose-spec spelling of replicas; deploy.replicas wins when both are set.
        var replicas = deploy.Int("replicas") ?? service.Int("scale");
        ulong? count = replicas is { } r ? (ulong)Math.Max(0, r) : null;
        var mode = deploy.Str("mode") ?? "replicated";
        switch (mode)
        {
            case "replicated" or "":
                return new ServiceMode { Replicated = new ReplicatedService { Replicas = count } };
            case "global":
                if (replicas is not null)
                {
                    context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, "replicas cannot be set with mode: global", deploy.Location, path + ".deploy.replicas");
                }

                return new ServiceMode { Global = new GlobalService() };
            case "replicated-job":
                return new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = count ?? 1, TotalCompletions = count ?? 1 } };
            case "global-job":
                return new ServiceMode { GlobalJob = new GlobalJob() };
            default:
                context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"unknown mode '{mode}'", deploy["mode"]!.Location, path + ".deploy.mode", "use replicated, global, replicated-job or global-job");
                return new ServiceMode { Replicated = new ReplicatedService { Replicas = count } };
        }
    }

    public static SwarmUpdateConfig? UpdateConfig(MappingNode? node)
    {
        if (node is null)
        {
            return null;
        }

        return new SwarmUpdateConfig
        {
            // docker uses 1 when the block exists without parallelism (the engine's 0 would mean "all at once").
            Parallelism = node.Int("parallelism") is { } p ? (ulong)Math.Max(0, p) : 1,
            Delay = node.Duration("delay"),
            FailureAction = node.Str("failure_action"),
            Monitor = node.Duration("monitor"),
            MaxFailureRatio = (float)(node.Double("max_failure_ratio") ?? 0),
            Order = node.Str("order")!,
        };
    }
}
