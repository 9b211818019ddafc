using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack history</c>: the revisions every successful deploy recorded in the orchestrator itself (a Swarm
/// config or a Kubernetes Secret each; docs/design/stack-history.md). A stack without history says so, exit 1.
/// </summary>
internal static class StackHistoryCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var format = StackOptions.Format();
        var command = new Command("history", "Show the revisions of a stack recorded by its deploys") { name, format };
        var target = new OrchestratorOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!StackOptions.CheckStackNames(stderr, "history", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "history", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "history", async () =>
            {
                var history = await service.HistoryAsync(stackName, cancellationToken).ConfigureAwait(false);
                if (history.Revisions.IsEmpty)
                {
                    stderr.WriteLine(history.StackExists
                        ? $"berth stack history: stack {stackName} has no history: it was deployed by 'docker stack deploy' or by a Berth without history"
                        : $"berth stack history: stack {stackName} not found");
                    if (history.StackExists)
                    {
                        stderr.WriteLine("hint: the next 'berth stack deploy' records its first revision");
                    }

                    return ExitCodes.InvalidInput;
                }

                var rows = history.Revisions.Select(Row).ToList();
                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, HistoryJsonContext.Default.ListHistoryRow));
                    return ExitCodes.Success;
                }

                Print(stdout, rows);
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static HistoryRow Row(StackRevision r) => new(
        r.Revision,
        r.Unreadable is null ? r.DeployedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : null,
        r.Unreadable is null ? r.DeployedBy : null,
        r.Unreadable is null ? r.BerthVersion : null,
        [.. r.Sources.Select(s => new HistorySource(s.Path, s.Sha256))],
        r.Unreadable ?? r.Note,
        r.Omitted);

    private static void Print(TextWriter stdout, List<HistoryRow> rows)
    {
        static string Source(HistoryRow r) => r.Note ?? string.Join(", ", r.Sources.Select(s => $"{Path.GetFileName(s.Path)}@{(s.Sha256.Length >= 12 ? s.Sha256[..12] : "?")}"));
        string[] header = ["REVISION", "DEPLOYED", "BY", "BERTH", "SOURCE/NOTE"];
        var cells = rows.Select(r => new[] { r.Revision.ToString(CultureInfo.InvariantCulture), r.Deployed ?? "?", r.By ?? "?", r.Berth ?? "?", Source(r) + (r.Omitted is null ? string.Empty : " (config contents not kept)") }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        stdout.WriteLine(string.Join("   ", header.Select((h, i) => i == header.Length - 1 ? h : h.PadRight(widths[i]))));
        foreach (var c in cells)
        {
            stdout.WriteLine(string.Join("   ", c.Select((v, i) => i == c.Length - 1 ? v : v.PadRight(widths[i]))));
        }
    }
}

internal sealed record HistorySource(string Path, string Sha256);

/// <summary>A revision as <c>history --format json</c> prints it; Deployed/By/Berth are null for a record a newer Berth wrote.</summary>
internal sealed record HistoryRow(int Revision, string? Deployed, string? By, string? Berth, List<HistorySource> Sources, string? Note, string? Omitted);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<HistoryRow>))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
