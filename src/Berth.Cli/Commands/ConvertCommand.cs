using System.CommandLine;
using System.Text;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Convert.Output;

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
        var format = new Option<string>("--format") { Description = "What to write: plain manifests, a Kustomize base and overlay, or a Helm chart (kustomize and helm need --output-dir)", DefaultValueFactory = _ => "manifests" };
        format.AcceptOnlyFromAmong("manifests", "kustomize", "helm");
        var outputDir = new Option<string?>("--output-dir") { Description = "Write one file per object (or the --format layout) into this folder instead of printing (created if missing)" };
        var explain = new Option<bool>("--explain") { Description = "Print the fidelity report (what every Compose key became) instead of the manifests; with --output-dir the manifests are still written to the folder" };

        var command = new Command("convert", "Convert a Compose project to Kubernetes manifests");
        project.AddTo(command);
        foreach (var option in new Option[] { ns, stack, serviceType, policies, output, format, outputDir, explain })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(stack) is { } stackName && Berth.Stacks.StackName.Check(stackName) is { } nameError)
            {
                parse.InvocationConfiguration.Error.WriteLine($"berth convert: --stack: {nameError}");
                return Task.FromResult(ExitCodes.Usage);
            }

            var layout = parse.GetValue(format) ?? "manifests";
            if (layout != "manifests" && parse.GetValue(outputDir) is null)
            {
                parse.InvocationConfiguration.Error.WriteLine($"berth convert: --format {layout} writes several files and needs --output-dir DIR");
                return Task.FromResult(ExitCodes.Usage);
            }

            if (layout != "manifests" && parse.GetValue(output) == "json" && !parse.GetValue(explain))
            {
                parse.InvocationConfiguration.Error.WriteLine($"berth convert: --format {layout} writes YAML; -o json applies only to the --explain report");
                return Task.FromResult(ExitCodes.Usage);
            }

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

            if (parse.GetValue(outputDir) is { } dir)
            {
                var files = layout switch
                {
                    "kustomize" => KustomizeLayout.ToFiles(plan, options.Namespace),
                    "helm" => HelmChartLayout.ToFiles(plan, Berth.Stacks.StackName.For(loaded.Name, options.StackName)),
                    _ => KubernetesManifestWriter.ToFiles(plan, json ? "json" : "yaml"),
                };
                if (WriteFiles(dir, files) is { } failure)
                {
                    stderr.WriteLine($"berth convert: {failure}");
                    return Task.FromResult(ExitCodes.InvalidInput);
                }

                stderr.WriteLine($"berth convert: wrote {files.Count} file{(files.Count == 1 ? string.Empty : "s")} to {dir}");
                if (layout == "helm")
                {
                    WarnStaleTemplates(stderr, dir, files);
                }
            }

            if (explaining)
            {
                stdout.Write(json ? FidelityReport.ToJson(plan.Fidelity) : FidelityReport.ToTable(plan.Fidelity));
                return Task.FromResult(ExitCodes.Success);
            }

            if (parse.GetValue(outputDir) is not null)
            {
                return Task.FromResult(ExitCodes.Success);
            }

            stdout.Write(json ? KubernetesManifestWriter.ToJson(plan) : KubernetesManifestWriter.ToYaml(plan));
            _ = global;
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Writes the files into <paramref name="dir"/>; a one-line reason naming the path when it cannot (checked before the first file is written).</summary>
    private static string? WriteFiles(string dir, IEnumerable<(string FileName, string Content)> files)
    {
        if (string.IsNullOrWhiteSpace(dir))
        {
            return "--output-dir needs a folder; nothing written";
        }

        if (File.Exists(dir))
        {
            return $"--output-dir '{dir}' is a file, not a folder; nothing written";
        }

        var created = !Directory.Exists(dir);
        try
        {
            Directory.CreateDirectory(dir);

            // Fail before the first manifest rather than leave a half-written folder.
            var probe = Path.Combine(dir, $".berth-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (created && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            return $"cannot write to --output-dir '{dir}': {Reason(dir, ex)}; nothing written";
        }

        foreach (var (fileName, content) in files)
        {
            var path = Path.Combine(dir, fileName);
            try
            {
                // Kustomize and Helm layouts have sub-folders (base/, overlays/<ns>/, templates/).
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"cannot write '{path}': {ex.Message}";
            }
        }

        return null;
    }

    /// <summary>Helm renders every file in templates/, so one left from an earlier conversion would be deployed too: say so.</summary>
    private static void WarnStaleTemplates(TextWriter stderr, string dir, IReadOnlyList<(string Path, string Content)> files)
    {
        if (!Directory.Exists(Path.Combine(dir, "templates")))
        {
            return;
        }

        var written = files.Select(f => Path.GetFullPath(Path.Combine(dir, f.Path))).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(Path.Combine(dir, "templates")).Order(StringComparer.Ordinal))
        {
            if (!written.Contains(Path.GetFullPath(path)))
            {
                stderr.WriteLine($"berth convert: warning: {path} was not written by this conversion and Helm renders it; remove it if it is stale");
            }
        }
    }

    /// <summary>Why a folder cannot be made: .NET's message for a file in the way names the wrong thing, so name it here.</summary>
    private static string Reason(string dir, Exception ex)
    {
        for (var parent = Path.GetDirectoryName(Path.GetFullPath(dir)); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                return $"'{parent}' is a file";
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        return ex is UnauthorizedAccessException ? "permission denied" : ex.Message;
    }
}
