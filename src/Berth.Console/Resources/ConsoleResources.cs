using Berth.Console.Accounts;
using Berth.Console.Stacks;
using Berth.Kubernetes.Access;
using Berth.StackService;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet;
using k8s.Autorest;

namespace Berth.Console.Resources;

/// <summary>How a node assignment ended: "ok", "failed" or "refused" (the audit log's words) and the sentence shown.</summary>
internal sealed record NodeAssignmentOutcome(string Result, string Message)
{
    public bool Ok => Result == "ok";
}

/// <summary>
/// The shared resources of both orchestrators the console reaches: the Docker engine the docker CLI would use and,
/// when a kubeconfig is found, the cluster (<see cref="ConsoleOrchestrators.Cluster"/>, the connection the rest of
/// the console uses). Each side is read on its own, and each of its lists too: a side that cannot be reached is named
/// with its reason and the other is still shown; a list refused or failed (a 403 listing Secrets) is named in its own
/// section, and the side's other sections are shown.
/// </summary>
internal sealed class ConsoleResources : IDisposable
{
    private readonly EngineClient? _docker;
    private readonly string? _swarmProblem;
    private readonly ConsoleOrchestrators _orchestrators;

    public ConsoleResources(ConsoleOrchestrators orchestrators)
    {
        _orchestrators = orchestrators;
        try
        {
            _docker = SwarmEngine.Connect(Environment.GetEnvironmentVariable);
        }
        catch (SwarmEngineException e)
        {
            _swarmProblem = e.Message;
        }
    }

    // The console's one connection to the cluster (owned and disposed by ConsoleOrchestrators).
    private KubernetesCluster? Cluster => _orchestrators.Cluster.Cluster;

    /// <summary>
    /// Both sides as <paramref name="scope"/> may see them: an account limited to namespaces sees only those namespaces'
    /// claims, Secrets and ConfigMaps; nodes, images and the Swarm side have no namespace and are shown to every account.
    /// </summary>
    public async Task<SharedResourcesView> ReadAsync(AccountScope scope, CancellationToken cancellationToken)
    {
        var swarm = ReadSwarmAsync(cancellationToken);
        var kubernetes = ReadKubernetesAsync(cancellationToken);
        await Task.WhenAll(swarm, kubernetes).ConfigureAwait(false);
        var kubernetesSide = await kubernetes.ConfigureAwait(false);
        if (scope.Namespaces.Count > 0)
        {
            bool Allowed(SharedResource resource) => scope.AllowsNamespace(resource.Namespace ?? string.Empty);
            kubernetesSide = kubernetesSide with
            {
                Volumes = [.. kubernetesSide.Volumes.Where(Allowed)],
                Secrets = [.. kubernetesSide.Secrets.Where(Allowed)],
                Configs = [.. kubernetesSide.Configs.Where(Allowed)],
            };
        }

        return new SharedResourcesView(await swarm.ConfigureAwait(false), kubernetesSide);
    }

    /// <summary>
    /// Assigns the node named <paramref name="name"/> to an orchestrator: the Swarm node of that hostname gets the UCP
    /// labels, and the Kubernetes node of that name the same labels. Refused when neither orchestrator has such a node.
    /// </summary>
    public async Task<NodeAssignmentOutcome> AssignAsync(string name, NodeAssignment assignment, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        var problems = new List<string>();
        if (_docker is not null)
        {
            try
            {
                if (await SwarmResourceReader.AssignAsync(_docker, name, assignment, cancellationToken).ConfigureAwait(false))
                {
                    done.Add("Swarm node labelled");
                }
            }
            catch (Exception e) when (e is SwarmEngineException or DockerApiException)
            {
                problems.Add($"Swarm: {SwarmMessage(e)}");
            }
        }

        if (Cluster is { } cluster)
        {
            try
            {
                if (await KubernetesResourceReader.AssignAsync(cluster.Client, name, assignment, cancellationToken).ConfigureAwait(false))
                {
                    done.Add("Kubernetes node labelled");
                }
            }
            catch (Exception e) when (cluster.Explain(e) is { } explained)
            {
                problems.Add($"Kubernetes: {explained.Message}");
            }
        }

        var what = $"Node {name} set to {NodeAssignmentLabels.Describe(assignment)}";
        return (done.Count, problems.Count) switch
        {
            (_, > 0) => new NodeAssignmentOutcome("failed", $"{what}: {string.Join("; ", done.Concat(problems))}."),
            (0, 0) => new NodeAssignmentOutcome("refused", $"No node named {name} in the swarm or the cluster; nothing changed."),
            _ => new NodeAssignmentOutcome("ok", $"{what}: {string.Join(", ", done)}."),
        };
    }

    public void Dispose() => _docker?.Dispose();

    private async Task<ResourceSide> ReadSwarmAsync(CancellationToken cancellationToken)
    {
        if (_docker is null)
        {
            return ResourceSide.Unreadable(StackOrchestrator.Swarm, _swarmProblem ?? "no Docker engine");
        }

        return await SwarmResourceReader.ReadAsync(_docker, e => e is SwarmEngineException or DockerApiException ? SwarmMessage(e) : null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ResourceSide> ReadKubernetesAsync(CancellationToken cancellationToken)
    {
        if (Cluster is not { } cluster)
        {
            return ResourceSide.Unreadable(StackOrchestrator.Kubernetes, _orchestrators.Cluster.Problem ?? "no cluster");
        }

        return await KubernetesResourceReader.ReadAsync(
            cluster.Client,
            e => cluster.Explain(e)?.Message ?? (e is HttpOperationException http ? $"the cluster at {cluster.Server} answered {(int)http.Response.StatusCode}" : null),
            cancellationToken).ConfigureAwait(false);
    }

    // A node that is not a manager answers 503 "This node is not a swarm manager…": the engine's own words, one line.
    private static string SwarmMessage(Exception e) => e is DockerApiException api ? SwarmEngine.RefusalMessage(api) : e.Message;
}
