using System.CommandLine;
using Berth.Cli.Orchestration;
using Berth.Kubernetes.Observe;
using Berth.Stacks;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack ls</c>: stacks are the values of the namespace label on Swarm services or Kubernetes objects.
/// With <c>--orchestrator all</c> both are listed; one side being unreachable is a warning as long as the other answers.
/// </summary>
internal static class StackListCommand
{
    private const string SwarmTable = "{{.Name}}\t{{.Services}}\t{{.Orchestrator}}";

    public static Command Create(Func<string, string?> environment)
    {
        var format = ListingFormat.Option();
        var command = new Command("ls", "List stacks") { format };
        var target = new OrchestratorOptions(command, allowAll: true);
        var allNamespaces = target.KubernetesOnly(command, new Option<bool>("--all-namespaces", "-A") { Description = "Kubernetes: list stacks in every namespace" });
        command.Aliases.Add("list");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (target.Resolve(parse, "ls", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            var table = resolved.Orchestrator == Orchestrator.Swarm ? SwarmTable : SwarmTable + "\t{{.Namespace}}";
            if (ListingFormat.Parse(parse, format, stderr, "ls", table, StackRow.Fields) is not { } output)
            {
                return ExitCodes.Usage;
            }

            var rows = new List<StackRow>();
            int? swarmExit = null;
            int? kubernetesExit = null;
            if (resolved.Orchestrator is Orchestrator.Swarm or Orchestrator.All)
            {
                // Under 'all' a failure is a warning: the other orchestrator may still answer.
                var swarmError = resolved.Orchestrator == Orchestrator.All ? new StringWriter() : stderr;
                swarmExit = await EngineAction.RunAsync(swarmError, "ls", environment, async client =>
                {
                    rows.AddRange(await ListSwarmAsync(client, cancellationToken).ConfigureAwait(false));
                    return ExitCodes.Success;
                }, cancellationToken).ConfigureAwait(false);
                WarnUnreachable(stderr, swarmError, swarmExit, "Swarm");
            }

            if (resolved.Orchestrator is Orchestrator.Kubernetes or Orchestrator.All)
            {
                var kubernetesError = resolved.Orchestrator == Orchestrator.All ? new StringWriter() : stderr;
                kubernetesExit = await KubernetesAction.RunAsync(kubernetesError, "ls", resolved, environment, async cluster =>
                {
                    var stacks = await StackReader.ListStacksAsync(cluster.Client, parse.GetValue(allNamespaces) ? null : cluster.Namespace, cancellationToken).ConfigureAwait(false);
                    rows.AddRange(stacks.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Namespace, StringComparer.Ordinal).Select(s => new StackRow(s.Name, s.Services, "kubernetes", s.Namespace)));
                    return ExitCodes.Success;
                }).ConfigureAwait(false);
                WarnUnreachable(stderr, kubernetesError, kubernetesExit, "Kubernetes");
            }

            // Success when at least one orchestrator answered (under 'all' the other was reported as a warning).
            if (swarmExit != ExitCodes.Success && kubernetesExit != ExitCodes.Success)
            {
                if (resolved.Orchestrator == Orchestrator.All)
                {
                    stderr.WriteLine("berth stack ls: neither Swarm nor Kubernetes answered");
                }

                return swarmExit ?? kubernetesExit ?? ExitCodes.OrchestratorError;
            }

            output.Write(stdout, rows.Select(r => r.ToFields()));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WarnUnreachable(TextWriter stderr, TextWriter captured, int? exitCode, string orchestrator)
    {
        if (ReferenceEquals(stderr, captured) || exitCode == ExitCodes.Success)
        {
            return;
        }

        foreach (var line in captured.ToString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            stderr.WriteLine(line.StartsWith("hint:", StringComparison.Ordinal) ? line : $"warning: {orchestrator} stacks not listed: {line.Replace("berth stack ls: ", string.Empty, StringComparison.Ordinal)}");
        }
    }

    private static async Task<List<StackRow>> ListSwarmAsync(Docker.DotNet.IDockerClient client, CancellationToken cancellationToken)
    {
        var services = await Swarm.Apply.SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [StackLabels.StackNamespace] = true } },
        }, cancellationToken)).ConfigureAwait(false);
        return services
            .Select(s => s.Spec?.Labels is { } l && l.TryGetValue(StackLabels.StackNamespace, out var v) ? v : null)
            .OfType<string>()
            .GroupBy(n => n, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StackRow(g.Key, g.Count(), "swarm", string.Empty))
            .ToList();
    }
}
