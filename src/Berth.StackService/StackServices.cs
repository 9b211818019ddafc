using Berth.Kubernetes.Access;
using Berth.StackService.Kubernetes;
using Berth.StackService.Swarm;

namespace Berth.StackService;

/// <summary>Opens the stack service of an orchestrator. Nothing is read or connected until the first call.</summary>
public static class StackServices
{
    /// <summary>Swarm, on the engine the docker CLI would use (DOCKER_HOST, the docker context, the local socket), read from <paramref name="environment"/>.</summary>
    public static IStackService Swarm(Func<string, string?> environment) => new SwarmStackService(environment);

    /// <summary>Kubernetes, on the cluster kubectl would use with <paramref name="access"/>.</summary>
    public static IStackService Kubernetes(KubernetesAccessOptions access, Func<string, string?> environment) => new KubernetesStackService(access, environment);

    public static IStackService Open(StackOrchestrator orchestrator, KubernetesAccessOptions access, Func<string, string?> environment) => orchestrator switch
    {
        StackOrchestrator.Kubernetes => Kubernetes(access, environment),
        _ => Swarm(environment),
    };
}
