using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack logs STACK [SERVICE…]</c>: the stack's log lines in time order, each prefixed like
/// <c>docker compose logs</c> (<c>web-1  | …</c>, the replica being the Swarm slot or node, or the Kubernetes pod's
/// ordinal or suffix); colours only on a terminal; <c>--format json</c> one object per line. Ctrl-C during
/// <c>--follow</c> ends normally (exit 0, as <c>docker service logs -f</c>).
/// </summary>
internal static class StackLogsCommand
{
    private static readonly string[] Colours = ["\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[96m", "\u001b[93m", "\u001b[92m"];

    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var services = new Argument<string[]>("SERVICE") { Description = "Only these Compose services (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow the output, including tasks and pods that start later (Ctrl-C ends)" };
        var tail = new Option<string>("--tail", "-n") { Description = "Lines to show from the end of each task's or container's logs (a number or all)", DefaultValueFactory = _ => "all" };
        var since = new Option<string>("--since") { Description = "Only lines since a time: a duration (10m, 1h30m) or an RFC 3339 timestamp" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show each line's timestamp" };
        var format = StackOptions.Format();
        var command = new Command("logs", "Show the logs of a stack's services, interleaved in time order") { name, services, follow, tail, since, timestamps, format };
        var target = new OrchestratorOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!StackOptions.CheckStackNames(stderr, "logs", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "logs", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            int? tailLines = null;
            var tailText = parse.GetValue(tail) ?? "all";
            if (tailText != "all")
            {
                if (!int.TryParse(tailText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    stderr.WriteLine($"berth stack logs: invalid --tail '{tailText}': expected a number of lines or all");
                    return ExitCodes.Usage;
                }

                tailLines = n;
            }

            DateTimeOffset? sinceTime = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                if (DurationOption.TryParse(sinceText, out var ago))
                {
                    sinceTime = DateTimeOffset.UtcNow - ago;
                }
                else if (DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    sinceTime = at;
                }
                else
                {
                    stderr.WriteLine($"berth stack logs: invalid --since '{sinceText}': expected a duration (10m) or an RFC 3339 timestamp (2026-01-02T15:04:05Z)");
                    return ExitCodes.Usage;
                }
            }

            var options = new StackLogOptions
            {
                Services = [.. parse.GetValue(services) ?? []],
                Follow = parse.GetValue(follow),
                Tail = tailLines,
                Since = sinceTime,
            };
            var json = parse.GetValue(format) == "json";
            var colour = !json && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
            var showTimes = parse.GetValue(timestamps);
            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "logs", async () =>
            {
                var colours = new Dictionary<string, string>(StringComparer.Ordinal);
                await foreach (var line in service.LogsAsync(stackName, options, cancellationToken).ConfigureAwait(false))
                {
                    stdout.WriteLine(json ? Json(line) : Text(line, showTimes, colour ? colours : null));
                    if (options.Follow)
                    {
                        stdout.Flush();
                    }
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>web-1  | message</c> (the prefix padded so messages line up as in docker compose logs).</summary>
    internal static string Text(StackLogLine line, bool timestamps, Dictionary<string, string>? colours)
    {
        var prefix = $"{line.Service}-{line.Replica}";
        var padded = prefix.PadRight(Math.Max(prefix.Length, 12)) + " | ";
        if (colours is not null)
        {
            if (!colours.TryGetValue(line.Service, out var c))
            {
                c = colours[line.Service] = Colours[colours.Count % Colours.Length];
            }

            padded = c + padded + "\u001b[0m";
        }

        return padded + (timestamps ? line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " : string.Empty) + line.Message;
    }

    internal static string Json(StackLogLine line)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("service", line.Service);
            writer.WriteString("replica", line.Replica);
            writer.WriteString("stream", line.Stream);
            writer.WriteString("message", line.Message);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
