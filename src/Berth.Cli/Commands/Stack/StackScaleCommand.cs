using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Cli.Output;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack scale STACK SERVICE=N…</c>: replicated services only; every argument is checked (here, then against
/// the stack) before anything is written; waits like deploy unless --detach.
/// </summary>
internal static class StackScaleCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var targets = new Argument<string[]>("SERVICE=N") { Description = "Compose service and the number of replicas, e.g. web=3", Arity = ArgumentArity.OneOrMore };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the changes are sent, without waiting for services to converge" };
        var timeout = DurationOption.Create("--timeout", "How long to wait for convergence", TimeSpan.FromMinutes(5));
        var format = StackOptions.Format();
        var command = new Command(
            "scale",
            "Set the number of replicas of replicated services of a stack. The next 'berth stack deploy' sets the Compose file's replicas again (as docker service scale and docker stack deploy)")
        {
            name, targets, detach, timeout, format,
        };
        var target = new OrchestratorOptions(command);
        var stability = target.SwarmOnly(command, DurationOption.Create("--stability", "Swarm: how long the scaled services must keep their tasks running to count as converged", TimeSpan.FromSeconds(5)));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!StackOptions.CheckStackNames(stderr, "scale", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "scale", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            if (Parse(stderr, stackName, parse.GetValue(targets) ?? []) is not { } requested)
            {
                return ExitCodes.InvalidInput;
            }

            var wait = parse.GetValue(timeout).Value;
            var options = new StackScaleOptions
            {
                Detach = parse.GetValue(detach),
                Timeout = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait,
                Stability = parse.GetValue(stability),
            };
            var json = parse.GetValue(format) == "json";

            // With --format json, stdout holds the result only: progress and write lines go to stderr.
            var progress = json ? stderr : stdout;
            var interactive = !json && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            var events = new StackEventPrinter(progress, stderr, new ConvergenceDisplay(progress, interactive));
            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "scale", async () =>
                Report(stdout, stderr, json, await service.ScaleAsync(stackName, requested, options, events, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>SERVICE=N</c> with N a whole number ≥ 0, each service once; every bad argument is reported, then null.</summary>
    internal static List<StackScaleTarget>? Parse(TextWriter stderr, string stack, IReadOnlyList<string> arguments)
    {
        var parsed = new List<StackScaleTarget>();
        var ok = true;
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var service = equals > 0 ? argument[..equals] : string.Empty;
            var count = equals > 0 ? argument[(equals + 1)..] : string.Empty;
            if (service.Length == 0 || count.Length == 0)
            {
                stderr.WriteLine($"berth stack scale: invalid argument '{argument}': expected SERVICE=REPLICAS, e.g. web=3");
                ok = false;
            }
            else if (!int.TryParse(count, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replicas))
            {
                stderr.WriteLine($"berth stack scale: invalid replicas '{count}' for {service}: expected a whole number, e.g. {service}=3");
                ok = false;
            }
            else if (replicas < 0)
            {
                stderr.WriteLine($"berth stack scale: invalid replicas {replicas} for {service}: must be 0 or more");
                ok = false;
            }
            else if (parsed.Any(p => p.Service == service))
            {
                stderr.WriteLine($"berth stack scale: {service} is given more than once");
                ok = false;
            }
            else
            {
                parsed.Add(new StackScaleTarget(service, replicas));
            }
        }

        if (!ok)
        {
            stderr.WriteLine($"berth stack scale: nothing was changed in stack {stack}");
        }

        return ok ? parsed : null;
    }

    private static int Report(TextWriter stdout, TextWriter stderr, bool json, StackScaleResult result)
    {
        if (result.Invalid)
        {
            foreach (var refusal in result.Refused)
            {
                stderr.WriteLine($"berth stack scale: {refusal.Reason}");
            }

            stderr.WriteLine($"berth stack scale: nothing was changed in stack {result.Stack}");
            stderr.WriteLine(result.Services.IsEmpty
                ? $"hint: stack {result.Stack} has no services{(result.Namespace.Length > 0 ? $" in namespace {result.Namespace}" : string.Empty)}; see 'berth stack ls'"
                : $"hint: the services of stack {result.Stack} are: {string.Join(", ", result.Services)}");
            return ExitCodes.InvalidInput;
        }

        if (json)
        {
            stdout.WriteLine(Json(result));
        }
        else
        {
            foreach (var scaled in result.Scaled)
            {
                stdout.WriteLine(scaled.Unchanged ? $"{scaled.Service} already has {scaled.To} replicas" : $"{scaled.Service} scaled to {scaled.To} (was {scaled.From})");
            }
        }

        if (!result.Converged)
        {
            stderr.WriteLine($"berth stack scale: stack {result.Stack} did not converge (waited up to {result.Timeout.TotalSeconds:0}s):");
            foreach (var failure in result.Failures)
            {
                stderr.WriteLine("  " + failure);
            }

            stderr.WriteLine($"hint: the new replica counts were sent and stay; inspect with 'berth stack ps {result.Stack}'");
            return ExitCodes.OrchestratorError;
        }

        return ExitCodes.Success;
    }

    private static string Json(StackScaleResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("stack", result.Stack);
            writer.WriteString("orchestrator", result.Orchestrator.ToString().ToLowerInvariant());
            if (result.Namespace.Length > 0)
            {
                writer.WriteString("namespace", result.Namespace);
            }

            writer.WriteStartArray("services");
            foreach (var scaled in result.Scaled)
            {
                writer.WriteStartObject();
                writer.WriteString("service", scaled.Service);
                writer.WriteString("object", scaled.Object);
                writer.WriteNumber("from", scaled.From);
                writer.WriteNumber("to", scaled.To);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("writes", result.Writes);
            writer.WriteBoolean("converged", result.Converged);
            writer.WriteStartArray("failures");
            foreach (var failure in result.Failures)
            {
                writer.WriteStringValue(failure);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
