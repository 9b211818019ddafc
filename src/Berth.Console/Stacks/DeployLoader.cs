using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Stacks;
using Berth.StackService;
using Berth.Swarm;

namespace Berth.Console.Stacks;

/// <summary>A loaded submission: the project (null when any error was found), every diagnostic, and the contents of the files secrets and configs name.</summary>
internal sealed record DeployLoad(ComposeProject? Project, ImmutableArray<DeployDiagnostic> Diagnostics, ImmutableDictionary<string, ImmutableArray<byte>> ResourceContents)
{
    public bool Valid => Project is not null && !Diagnostics.Any(d => d.Severity == "error");
}

/// <summary>
/// Loads a submission with Berth's own loader exactly as <c>berth stack deploy</c> does (ProjectLoader with the stack
/// name as project name). The loader reads files, and override files and the files secrets name cannot come through
/// its one standard input (the way berth-apiserver's StackValidator loads text), so the submission is laid out in a
/// private scratch folder of the data folder for the length of the load and removed after; the contents secrets and
/// configs need are kept in memory for the deploy (StackDeployRequest.ResourceContents). The environment is empty
/// but for the submitted .env values: the console's own process environment must not leak into stacks.
/// </summary>
internal sealed class DeployLoader(Hosting.ConsoleOptions options)
{
    /// <summary>Form fields' limits: a Compose file or an uploaded file larger than this is refused before loading.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public DeployLoad Load(DeployInput input, IReadOnlyCollection<StackOrchestrator> available, CancellationToken cancellationToken)
    {
        var problems = FormProblems(input, available);
        var scratch = Path.Combine(options.DataDirectory, "scratch", Guid.NewGuid().ToString("N"));
        try
        {
            Hosting.DataFolder.Create(scratch);
            var files = new List<string> { Write(scratch, DeployInput.ComposeFileName, Encoding.UTF8.GetBytes(input.Compose)) };
            foreach (var file in input.Overrides)
            {
                files.Add(Write(scratch, file.Name, [.. file.Content]));
            }

            foreach (var file in input.ResourceFiles)
            {
                Write(scratch, file.Name, [.. file.Content]);
            }

            if (input.Env.Length > 0)
            {
                Write(scratch, DeployInput.EnvFileName, Encoding.UTF8.GetBytes(input.Env));
            }

            var loaded = ProjectLoader.Load(
                new LoadOptions
                {
                    Files = [.. files],
                    WorkingDirectory = scratch,
                    ProjectDirectory = scratch,
                    ProjectName = StackName.IsValid(input.Name) ? input.Name : "stack",
                    Environment = ImmutableDictionary<string, string>.Empty,
                },
                cancellationToken);
            var diagnostics = problems.AddRange(loaded.Diagnostics.Select(d => Describe(d, scratch)));
            var contents = loaded.Project is null ? ImmutableDictionary<string, ImmutableArray<byte>>.Empty : ResourceContentReader.Read(loaded.Project);
            var valid = loaded.Succeeded && problems.IsEmpty;
            return new DeployLoad(valid ? loaded.Project : null, diagnostics, contents);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The name (the CLI's rule), the orchestrator (one the console reaches) and the namespace (a DNS label, Kubernetes only).</summary>
    private static ImmutableArray<DeployDiagnostic> FormProblems(DeployInput input, IReadOnlyCollection<StackOrchestrator> available)
    {
        var problems = ImmutableArray.CreateBuilder<DeployDiagnostic>();
        if (StackName.Check(input.Name) is { } nameProblem)
        {
            problems.Add(new DeployDiagnostic(DeployInput.FormFileName, 0, 0, "error", "name", nameProblem, null));
        }

        if (!available.Contains(input.Orchestrator))
        {
            problems.Add(new DeployDiagnostic(DeployInput.FormFileName, 0, 0, "error", "orchestrator", $"{input.Orchestrator} is not available to this console", "choose an orchestrator the stacks page lists"));
        }

        if (input.Orchestrator == StackOrchestrator.Kubernetes && input.Namespace.Length > 0 && !DnsNames.IsDns1123Label(input.Namespace))
        {
            problems.Add(new DeployDiagnostic(DeployInput.FormFileName, 0, 0, "error", "namespace", $"invalid namespace '{input.Namespace}': a namespace is a DNS label (lower-case letters, digits and '-', at most 63)", null));
        }

        foreach (var file in input.Overrides.Concat(input.ResourceFiles))
        {
            if (file.Content.Length > MaxFileBytes)
            {
                problems.Add(new DeployDiagnostic(file.Name, 0, 0, "error", "size", $"{file.Name} is larger than {MaxFileBytes / 1024} KiB", null));
            }
        }

        return problems.ToImmutable();
    }

    /// <summary>The uploaded name without any folder, so nothing is written outside the scratch folder.</summary>
    public static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        return file is "" or "." or ".." ? "file" : file;
    }

    private static string Write(string scratch, string name, byte[] content)
    {
        var path = Path.Combine(scratch, SafeName(name));
        File.WriteAllBytes(path, content);
        return path;
    }

    // Locations name the submitted file, not the scratch folder.
    private static DeployDiagnostic Describe(Diagnostic diagnostic, string scratch)
    {
        var file = diagnostic.Location.IsKnown ? diagnostic.Location.File : string.Empty;
        if (file.StartsWith(scratch, StringComparison.Ordinal))
        {
            file = file[scratch.Length..].TrimStart('/');
        }

        var message = diagnostic.Message.Replace(scratch + "/", string.Empty, StringComparison.Ordinal).Replace(scratch, ".", StringComparison.Ordinal);
        return new DeployDiagnostic(file, diagnostic.Location.Line, diagnostic.Location.Column, diagnostic.Severity.ToString().ToLowerInvariant(), diagnostic.Code, message, diagnostic.Hint);
    }
}
