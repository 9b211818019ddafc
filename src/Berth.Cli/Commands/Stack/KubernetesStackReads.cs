using System.Globalization;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Observe;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>stack services</c> and <c>stack ps</c> on Kubernetes, as rows shaped like the Swarm ones.</summary>
internal static class KubernetesStackReads
{
    public static readonly string[] ServiceFilterKeys = ["id", "mode", "name"];
    public static readonly string[] PodFilterKeys = ["id", "name", "node", "service"];

    public static async Task<List<ServiceRow>> ServicesAsync(KubernetesCluster cluster, string stackName, ClientFilters filters, CancellationToken cancellationToken)
    {
        var services = await StackReader.ListServicesAsync(cluster.Client, cluster.Namespace, stackName, cancellationToken).ConfigureAwait(false);
        return [.. services
            .Where(s => filters.Matches(key => key switch { "id" => s.Id, "mode" => s.Mode, "name" => s.Name, _ => null }))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new ServiceRow(
                s.Id,
                s.Name,
                s.Mode,
                s.Completions is { } jobs
                    ? string.Create(CultureInfo.InvariantCulture, $"{s.Ready}/{s.Desired} ({jobs.Succeeded}/{jobs.Completions} completed)")
                    : string.Create(CultureInfo.InvariantCulture, $"{s.Ready}/{s.Desired}"),
                s.Image,
                s.Ports))];
    }

    public static async Task<List<TaskRow>> PodsAsync(KubernetesCluster cluster, string stackName, ClientFilters filters, bool full, CancellationToken cancellationToken)
    {
        var pods = await StackReader.ListPodsAsync(cluster.Client, cluster.Namespace, stackName, cancellationToken).ConfigureAwait(false);
        return [.. pods
            .Where(p => filters.Matches(key => key switch { "id" => p.Id, "name" => p.Name, "node" => p.Node, "service" => p.Service, _ => null }))
            .OrderBy(p => p.Service, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new TaskRow(
                full ? p.Id : p.Id[..Math.Min(12, p.Id.Length)],
                p.Name,
                p.Image,
                p.Node,
                "Running",
                p.Status,
                full ? p.Reason : SwarmListing.Ellipsis(p.Reason, 30),
                string.Empty,
                p.CreatedAt,
                p.UpdatedAt)
            {
                Restarts = p.Restarts,
            })];
    }
}
