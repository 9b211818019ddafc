using System.CommandLine;
using System.Text;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Convert;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth convert</c>: prints the Kubernetes manifests for a Compose project (or writes one file per object),
/// or with <c>--explain</c> the fidelity report: what every Compose key became.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(GlobalOptions global)
    {
        var project = new ProjectOptions();
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of every object", DefaultValueFactory = _ => "default" };
        var stack = new Option<string?>("--stack") { Description = "Stack name for the ownership labels (default: the project name)" };
        var serviceType = new Option<string>("--service-type") { Description = "Service type for published ports", DefaultValueFactory = _ => "LoadBalancer" };
        serviceType.AcceptOnlyFromAmong("LoadBalancer", "NodePort");
        var policies = new Option<bool>("--network-policies") { Description = "Emit NetworkPolicies that mirror the Compose networks" };
        var output = new Option<string>("--output", "-o") { Description = "Output format", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");
        var outputDir = new Option<string?>("--output-dir") { Description = "Write one file per object into this folder instead of printing" };
        var explain = new Option<bool>("--explain") { Description = "Print the fidelity report (what every Compose key became) instead of manifests" };

        var command = new Command("convert", "Convert a Compose project to Kubernetes manifests");
        project.AddTo(command);
        foreach (var option in new Option[] { ns, stack, serviceType, policies, output, outputDir, explain })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var loaded = project.Load(parse, "convert", cancellationToken);
            if (loaded is null)
            {
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            var options = new KubernetesConvertOptions
            {
                Namespace = parse.GetValue(ns) ?? "default",
                StackName = parse.GetValue(stack),
                PublishedServiceType = parse.GetValue(serviceType) == "NodePort" ? PublishedServiceType.NodePort : PublishedServiceType.LoadBalancer,
                NetworkPolicies = parse.GetValue(policies),
                FileContents = ResourceContentReader.Read(loaded),
            };
            var plan = KubernetesConverter.Convert(loaded, options);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var json = parse.GetValue(output) == "json";
            var explaining = parse.GetValue(explain);

            // The fidelity warnings are the report itself under --explain; print only the other diagnostics then.
            DiagnosticPrinter.Print(stderr, explaining ? plan.Diagnostics.Where(d => d.Severity == Severity.Error || !d.Code.StartsWith("BK00", StringComparison.Ordinal)) : plan.Diagnostics);
            if (plan.HasErrors)
            {
                var errors = plan.Diagnostics.Count(d => d.Severity == Severity.Error);
                stderr.WriteLine($"berth convert: {errors} error{(errors == 1 ? string.Empty : "s")}; nothing printed");
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            if (explaining)
            {
                stdout.Write(json ? FidelityReport.ToJson(plan.Fidelity) : FidelityReport.ToTable(plan.Fidelity));
                return Task.FromResult(ExitCodes.Success);
            }

            if (parse.GetValue(outputDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                foreach (var (fileName, content) in KubernetesManifestWriter.ToFiles(plan, json ? "json" : "yaml"))
                {
                    File.WriteAllText(Path.Combine(dir, fileName), content, new UTF8Encoding(false));
                }

                stderr.WriteLine($"berth convert: wrote {plan.Objects.Length} file{(plan.Objects.Length == 1 ? string.Empty : "s")} to {dir}");
                return Task.FromResult(ExitCodes.Success);
            }

            stdout.Write(json ? KubernetesManifestWriter.ToJson(plan) : KubernetesManifestWriter.ToYaml(plan));
            _ = global;
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
