using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Cli.Output;
using Berth.Compose.Loading;
using Berth.Stacks;
using Berth.Swarm;
using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth stack deploy|ls|services|ps|rm</c> on Docker Swarm. Names and labels are docker's, so stacks made by
/// <c>docker stack deploy</c> are listed, updated and removed here, and the reverse.
/// </summary>
internal static class StackCommand
{
    public static Command Create(GlobalOptions global)
    {
        var stack = new Command("stack", "Deploy and manage stacks on Docker Swarm");
        stack.Subcommands.Add(Deploy());
        stack.Subcommands.Add(List());
        stack.Subcommands.Add(Services());
        stack.Subcommands.Add(Tasks());
        stack.Subcommands.Add(Remove());
        _ = global;
        return stack;
    }

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "Output format: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    private static Option<string> OrchestratorOption()
    {
        var orchestrator = new Option<string>("--orchestrator") { Description = "Orchestrator to use", DefaultValueFactory = _ => "swarm" };
        orchestrator.AcceptOnlyFromAmong("swarm");
        return orchestrator;
    }

    private static Command Deploy()
    {
        var project = new ProjectOptions();
        var name = new Argument<string>("STACK") { Description = "Stack name" };
        var orchestrator = OrchestratorOption();
        var prune = new Option<bool>("--prune") { Description = "Remove the stack's services, networks, secrets and configs the file no longer names" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the changes are sent, without waiting for services to converge" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for convergence", DefaultValueFactory = _ => 300 };
        var command = new Command("deploy", "Deploy a new stack or update an existing one") { name, orchestrator, prune, detach, timeout };
        command.Aliases.Add("up");
        project.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!IsValidStackName(stackName))
            {
                stderr.WriteLine($"berth stack deploy: invalid stack name '{stackName}': use letters, digits, '-', '_' and '.'");
                return ExitCodes.Usage;
            }

            // The stack name is the project name, so default resource names (<project>_<key>) are the stack's.
            var loadOptions = project.ToLoadOptions(parse);
            loadOptions = loadOptions with { ProjectName = loadOptions.ProjectName ?? stackName };
            var loaded = ProjectLoader.Load(loadOptions, cancellationToken);
            DiagnosticPrinter.Print(stderr, loaded.Diagnostics);
            if (!loaded.Succeeded || loaded.Project is null)
            {
                stderr.WriteLine("berth stack deploy: the Compose file has errors; nothing was changed");
                return ExitCodes.InvalidInput;
            }

            var plan = SwarmConverter.Convert(loaded.Project, new SwarmConvertOptions
            {
                Stack = stackName,
                Contents = ResourceContentReader.Read(loaded.Project),
            });
            DiagnosticPrinter.Print(stderr, plan.Diagnostics);
            if (plan.HasErrors)
            {
                stderr.WriteLine("berth stack deploy: the stack cannot run on Swarm as written; nothing was changed");
                return ExitCodes.InvalidInput;
            }

            return await WithEngine(stderr, "deploy", async client =>
            {
                var deployer = new SwarmDeployer(client, line => stdout.WriteLine(line));
                var result = await deployer.DeployAsync(plan, new SwarmDeployOptions
                {
                    Prune = parse.GetValue(prune),
                    Detach = parse.GetValue(detach),
                    Timeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))),
                }, cancellationToken).ConfigureAwait(false);
                if (!result.Converged)
                {
                    stderr.WriteLine($"berth stack deploy: stack {stackName} did not converge within {parse.GetValue(timeout)}s:");
                    foreach (var failure in result.Failures)
                    {
                        stderr.WriteLine("  " + failure);
                    }

                    return ExitCodes.OrchestratorError;
                }

                stdout.WriteLine(result.Writes == 0
                    ? $"Stack {stackName} is up to date ({result.Unchanged.Length} services unchanged)"
                    : $"Stack {stackName}: {result.Created.Length} created, {result.Updated.Length} updated, {result.Unchanged.Length} unchanged, {result.Removed.Length} removed");
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command List()
    {
        var format = FormatOption();
        var orchestrator = OrchestratorOption();
        var command = new Command("ls", "List stacks") { format, orchestrator };
        command.Aliases.Add("list");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            return await WithEngine(parse.InvocationConfiguration.Error, "ls", async client =>
            {
                var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [StackLabels.StackNamespace] = true } },
                }, cancellationToken)).ConfigureAwait(false);
                var rows = services
                    .Select(s => s.Spec?.Labels is { } l && l.TryGetValue(StackLabels.StackNamespace, out var v) ? v : null)
                    .OfType<string>()
                    .GroupBy(n => n, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new StackRow(g.Key, g.Count(), "swarm"))
                    .ToList();
                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListStackRow));
                }
                else
                {
                    WriteTable(stdout, ["NAME", "SERVICES", "ORCHESTRATOR"], rows.Select(r => new[] { r.Name, r.Services.ToString(CultureInfo.InvariantCulture), r.Orchestrator }));
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Services()
    {
        var name = new Argument<string>("STACK") { Description = "Stack name" };
        var format = FormatOption();
        var orchestrator = OrchestratorOption();
        var command = new Command("services", "List the services of a stack") { name, format, orchestrator };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stackName = parse.GetValue(name)!;
            return await WithEngine(parse.InvocationConfiguration.Error, "services", async client =>
            {
                var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = SwarmDeployer.StackFilter(stackName), Status = true }, cancellationToken)).ConfigureAwait(false);
                var rows = services
                    .Where(s => SwarmDeployer.Owned(s.Spec?.Labels, stackName))
                    .OrderBy(s => s.Spec!.Name, StringComparer.Ordinal)
                    .Select(s => new ServiceRow(
                        s.ID[..Math.Min(12, s.ID.Length)],
                        s.Spec!.Name!,
                        ModeOf(s.Spec.Mode),
                        $"{s.ServiceStatus?.RunningTasks ?? 0}/{s.ServiceStatus?.DesiredTasks ?? 0}",
                        s.Spec.TaskTemplate?.ContainerSpec?.Image ?? string.Empty,
                        string.Join(", ", (s.Endpoint?.Ports ?? []).Where(p => p.PublishMode == "ingress").Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.Protocol}"))))
                    .ToList();
                if (rows.Count == 0)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"Nothing found in stack: {stackName}");
                }

                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListServiceRow));
                }
                else if (rows.Count > 0)
                {
                    WriteTable(stdout, ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"], rows.Select(r => new[] { r.Id, r.Name, r.Mode, r.Replicas, r.Image, r.Ports }));
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Tasks()
    {
        var name = new Argument<string>("STACK") { Description = "Stack name" };
        var format = FormatOption();
        var orchestrator = OrchestratorOption();
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate IDs and errors" };
        var command = new Command("ps", "List the tasks of a stack") { name, format, orchestrator, noTrunc };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stackName = parse.GetValue(name)!;
            var full = parse.GetValue(noTrunc);
            return await WithEngine(parse.InvocationConfiguration.Error, "ps", async client =>
            {
                var tasks = await SwarmEngine.CallAsync(client, c => c.Tasks.ListAsync(new TasksListParameters { Filters = SwarmDeployer.StackFilter(stackName) }, cancellationToken)).ConfigureAwait(false);
                var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = SwarmDeployer.StackFilter(stackName) }, cancellationToken)).ConfigureAwait(false);
                var nodes = await SwarmEngine.CallAsync(client, c => c.Swarm.ListNodesAsync(cancellationToken)).ConfigureAwait(false);
                var serviceNames = services.ToDictionary(s => s.ID, s => s.Spec?.Name ?? s.ID, StringComparer.Ordinal);
                var nodeNames = nodes.ToDictionary(n => n.ID, n => n.Description?.Hostname ?? n.ID, StringComparer.Ordinal);
                var rows = tasks
                    .Where(t => t.ServiceID is not null && serviceNames.ContainsKey(t.ServiceID))
                    .OrderBy(t => serviceNames[t.ServiceID!], StringComparer.Ordinal).ThenBy(t => t.Slot).ThenByDescending(t => t.CreatedAt)
                    .Select(t => new TaskRow(
                        full ? t.ID : t.ID[..Math.Min(12, t.ID.Length)],
                        $"{serviceNames[t.ServiceID!]}.{(t.Slot is > 0 ? t.Slot.Value.ToString(CultureInfo.InvariantCulture) : t.NodeID)}",
                        t.Spec?.ContainerSpec?.Image is { } image && !full ? image.Split('@')[0] : t.Spec?.ContainerSpec?.Image ?? string.Empty,
                        t.NodeID is not null && nodeNames.TryGetValue(t.NodeID, out var node) ? node : string.Empty,
                        State(t.DesiredState),
                        $"{State(t.Status?.State)} {Ago(t.Status?.Timestamp)}".Trim(),
                        Truncate(t.Status?.Err ?? string.Empty, full ? int.MaxValue : 30),
                        string.Join(", ", (t.Status?.PortStatus?.Ports ?? []).Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.Protocol}"))))
                    .ToList();
                if (rows.Count == 0)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"nothing found in stack: {stackName}");
                    return ExitCodes.InvalidInput;
                }

                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListTaskRow));
                }
                else
                {
                    WriteTable(stdout, ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"], rows.Select(r => new[] { r.Id, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, r.Error, r.Ports }));
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Remove()
    {
        var names = new Argument<string[]>("STACK") { Description = "Stacks to remove", Arity = ArgumentArity.OneOrMore };
        var orchestrator = OrchestratorOption();
        var wait = new Option<bool>("--wait") { Description = "Wait until every task and network of the stack is gone" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 120 };
        var command = new Command("rm", "Remove stacks: only objects carrying the stack's label") { names, orchestrator, wait, timeout };
        command.Aliases.Add("remove");
        command.Aliases.Add("down");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            return await WithEngine(parse.InvocationConfiguration.Error, "rm", async client =>
            {
                var deployer = new SwarmDeployer(client, line => stdout.WriteLine(line));
                foreach (var stackName in parse.GetValue(names) ?? [])
                {
                    var removed = await deployer.RemoveStackAsync(stackName, parse.GetValue(wait), TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
                    if (removed.Length == 0)
                    {
                        parse.InvocationConfiguration.Error.WriteLine($"Nothing found in stack: {stackName}");
                    }
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Connects, runs, and turns engine failures into one clear line and a non-zero exit.</summary>
    private static async Task<int> WithEngine(TextWriter stderr, string commandName, Func<Docker.DotNet.IDockerClient, Task<int>> action)
    {
        try
        {
            using var client = SwarmEngine.Connect();
            return await action(client).ConfigureAwait(false);
        }
        catch (SwarmEngineException ex)
        {
            stderr.WriteLine($"berth stack {commandName}: {ex.Message}");
            return ExitCodes.OrchestratorError;
        }
        catch (Docker.DotNet.DockerApiException ex)
        {
            // The engine's own message (e.g. a port already in use); request bodies, which may hold secrets, are never printed.
            stderr.WriteLine($"berth stack {commandName}: the engine refused: {FirstMessage(ex.ResponseBody)}");
            return ExitCodes.OrchestratorError;
        }
    }

    private static string FirstMessage(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "{}");
            return doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : body ?? string.Empty;
        }
        catch (JsonException)
        {
            return body ?? string.Empty;
        }
    }

    private static bool IsValidStackName(string name)
        => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static string ModeOf(ServiceMode? mode) => mode switch
    {
        { Global: not null } => "global",
        { ReplicatedJob: not null } => "replicated job",
        { GlobalJob: not null } => "global job",
        _ => "replicated",
    };

    private static string State(TaskState? state) => state?.ToString().ToLowerInvariant() switch
    {
        null => string.Empty,
        var s => char.ToUpperInvariant(s[0]) + s[1..],
    };

    private static string Ago(DateTime? when)
    {
        if (when is null)
        {
            return string.Empty;
        }

        var span = DateTime.UtcNow - when.Value.ToUniversalTime();
        return span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)} seconds ago"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} minutes ago"
            : $"{(int)span.TotalHours} hours ago";
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static void WriteTable(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 3));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}

internal sealed record StackRow(string Name, int Services, string Orchestrator);

internal sealed record ServiceRow(string Id, string Name, string Mode, string Replicas, string Image, string Ports);

internal sealed record TaskRow(string Id, string Name, string Image, string Node, string DesiredState, string CurrentState, string Error, string Ports);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<StackRow>))]
[JsonSerializable(typeof(List<ServiceRow>))]
[JsonSerializable(typeof(List<TaskRow>))]
internal sealed partial class StackJsonContext : JsonSerializerContext;
