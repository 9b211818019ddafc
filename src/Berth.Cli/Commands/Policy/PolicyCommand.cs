using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Policy;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;

namespace Berth.Cli.Commands.Policy;

/// <summary><c>berth policy check</c>: a Compose project against a deploy policy, alone (for CI pipelines); nothing is deployed.</summary>
internal static class PolicyCommand
{
    public static Command Create(Func<string, string?> environment) => new("policy", "Check Compose projects against a deploy policy") { Check(environment) };

    private static Command Check(Func<string, string?> environment)
    {
        var project = new ProjectOptions();
        var policy = new PolicyOptions();
        var @namespace = new Option<string?>("--namespace", "-n") { Description = "The namespace the stack goes to, for the policy's namespace scopes (Kubernetes: its namespace; Swarm: the stack name; default: none)" };
        var stack = new Option<string?>("--stack") { Description = "The stack name, for the policy's stackPrefix scopes (default: the project name)" };
        var output = new Option<string>("--output", "-o") { Description = "Output format: text (diagnostics as the loader prints them) or json (docs/design/policy.md)", DefaultValueFactory = _ => "text", HelpName = "text|json" };
        output.AcceptOnlyFromAmong("text", "json");

        var command = new Command(
            "check",
            "Evaluate a deploy policy on a Compose project, as 'stack deploy --policy' would before writing anything. "
            + "Prints every violation with file:line, rule and hint; exits 1 on any error (enforce mode, an unreadable policy or Compose file), 0 when there are none or only warnings (warn mode).");
        project.AddTo(command);
        policy.AddTo(command);
        command.Options.Add(@namespace);
        command.Options.Add(stack);
        command.Options.Add(output);
        command.SetAction((parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var json = parse.GetValue(output) == "json";
            var choice = policy.Read(parse, environment, cancellationToken);
            if (choice.ConfigError is { } configError)
            {
                stderr.WriteLine($"berth policy check: {configError}");
                stderr.WriteLine("hint: fix the file, or point BERTH_CONFIG at another one");
                return Task.FromResult(ExitCodes.Usage);
            }

            if (choice.Named is null)
            {
                stderr.WriteLine("berth policy check: no policy to check against");
                stderr.WriteLine($"hint: pass --policy with a built-in profile ({PolicySource.ProfileNames}) or a policy file, or set \"policy\" in the Berth config file");
                return Task.FromResult(ExitCodes.Usage);
            }

            var scopeNamespace = parse.GetValue(@namespace);
            if (choice.Failed)
            {
                DiagnosticPrinter.Print(stderr, choice.Diagnostics);
                stderr.WriteLine($"berth policy check: the policy '{choice.Named}' cannot be read; nothing was checked");
                Write(json, stdout, new PolicyReport(PolicyReportStatus.InvalidPolicy, choice.Named, null, new PolicyScope(scopeNamespace, parse.GetValue(stack) ?? string.Empty), choice.Diagnostics));
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            var loaded = ProjectLoader.Load(project.ToLoadOptions(parse), cancellationToken);
            DiagnosticPrinter.Print(stderr, loaded.Diagnostics);
            if (!loaded.Succeeded || loaded.Project is null)
            {
                stderr.WriteLine("berth policy check: the Compose file has errors; nothing was checked");
                Write(json, stdout, new PolicyReport(PolicyReportStatus.InvalidProject, choice.Policy!.Name, choice.Policy.Mode, new PolicyScope(scopeNamespace, parse.GetValue(stack) ?? string.Empty), [.. loaded.Diagnostics.Where(d => d.Severity == Severity.Error)]));
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            var scope = new PolicyScope(scopeNamespace, parse.GetValue(stack) ?? loaded.Project.Name);
            var rules = choice.Policy!.Resolve(scope);
            var violations = PolicyEvaluator.Evaluate(rules, loaded.Project, cancellationToken);
            var report = new PolicyReport(violations.Any(v => v.Severity == Severity.Error) ? PolicyReportStatus.Violations : PolicyReportStatus.Passed, rules.Name, rules.Mode, scope, violations);
            if (json)
            {
                PolicyReportJson.Write(stdout, report);
            }
            else
            {
                DiagnosticPrinter.Print(stdout, violations);
                stdout.WriteLine(Summary(report, loaded.Project.ServiceNames.Count()));
            }

            return Task.FromResult(report.Status == PolicyReportStatus.Passed ? ExitCodes.Success : ExitCodes.InvalidInput);
        });
        return command;
    }

    private static void Write(bool json, TextWriter stdout, PolicyReport report)
    {
        // A tool reading stdout gets its document in every outcome; people read the diagnostics on stderr.
        if (json)
        {
            PolicyReportJson.Write(stdout, report);
        }
    }

    private static string Summary(PolicyReport report, int services)
    {
        var where = $"stack {report.Scope.StackName}{(report.Scope.Namespace is { } ns ? $" in namespace {ns}" : string.Empty)}, {services} service{(services == 1 ? string.Empty : "s")}";
        return report.Diagnostics.IsEmpty
            ? $"Policy {report.Policy} ({Mode(report.Mode)}): no violations ({where})"
            : $"Policy {report.Policy} ({Mode(report.Mode)}): {Count(report.Errors, "error")}, {Count(report.Warnings, "warning")} ({where})";
    }

    internal static string Mode(PolicyMode? mode) => mode switch
    {
        PolicyMode.Warn => "warn",
        PolicyMode.Enforce => "enforce",
        _ => "unknown",
    };

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";
}
