using System.CommandLine;
using Berth.StackService;

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

            var services = resolved.Orchestrators.Select(o => resolved.Open(o, environment)).ToList();
            try
            {
                var table = services.Any(s => s.Capabilities.Namespaces) ? SwarmTable + "\t{{.Namespace}}" : SwarmTable;
                if (ListingFormat.Parse(parse, format, stderr, "ls", table, StackRow.Fields) is not { } output)
                {
                    return ExitCodes.Usage;
                }

                var rows = new List<StackRow>();
                var exits = new List<int>();
                foreach (var service in services)
                {
                    // With both orchestrators a failure is a warning: the other may still answer.
                    var errors = services.Count > 1 ? new StringWriter() : stderr;
                    var exit = await StackAction.RunAsync(errors, "ls", async () =>
                    {
                        var stacks = await service.ListAsync(new StackListOptions(parse.GetValue(allNamespaces)), cancellationToken).ConfigureAwait(false);
                        rows.AddRange(stacks.Select(s => new StackRow(s.Name, s.Services, s.Orchestrator.ToString().ToLowerInvariant(), s.Namespace)));
                        return ExitCodes.Success;
                    }).ConfigureAwait(false);
                    WarnUnreachable(stderr, errors, exit, StackWording.Name(service.Orchestrator));
                    exits.Add(exit);
                }

                // Success when at least one orchestrator answered (with both, the other was reported as a warning).
                if (!exits.Contains(ExitCodes.Success))
                {
                    if (services.Count > 1)
                    {
                        stderr.WriteLine("berth stack ls: neither Swarm nor Kubernetes answered");
                    }

                    return exits.FirstOrDefault(ExitCodes.OrchestratorError);
                }

                output.Write(stdout, rows.Select(r => r.ToFields()));
                return ExitCodes.Success;
            }
            finally
            {
                foreach (var service in services)
                {
                    service.Dispose();
                }
            }
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
}
