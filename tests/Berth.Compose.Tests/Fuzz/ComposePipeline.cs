using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Kubernetes.Convert;
using Berth.Swarm.Convert;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>The flags a case runs with (the CLI's --no-interpolate, --no-consistency, --network-policies, --service-type).</summary>
internal sealed record PipelineVariant(bool Interpolate, bool CheckConsistency, bool NetworkPolicies, bool NodePort)
{
    public static PipelineVariant Default { get; } = new(true, true, false, false);

    public override string ToString()
        => $"{(Interpolate ? string.Empty : " --no-interpolate")}{(CheckConsistency ? string.Empty : " --no-consistency")}{(NetworkPolicies ? " --network-policies" : string.Empty)}{(NodePort ? " --service-type NodePort" : string.Empty)}".Trim();
}

/// <summary>How far a case got, to see that the mutations reach the converters and not only the YAML parser.</summary>
internal enum PipelineOutcome
{
    YamlSyntaxError,
    InvalidProject,
    Loaded,
    Converted,
}

/// <summary>An outcome the CLI would not report as a diagnostic with exit 1 (it would be an internal error or a silent failure).</summary>
internal sealed class PipelineInvariantException(string message) : Exception(message)
{
}

/// <summary>
/// What <c>berth config</c> and <c>berth convert</c> do with a Compose file, in process: load, print the canonical
/// YAML and JSON, convert for Kubernetes (manifests as YAML, JSON and files) and for Swarm (the service, network,
/// secret and config specs as the Engine API gets them). Diagnostics are the expected way to fail; any exception
/// escaping is what the CLI turns into exit 70.
/// </summary>
internal static class ComposePipeline
{
    private static readonly ImmutableDictionary<string, string> Environment = ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
    {
        ["HOME"] = "/home/fuzz",
        ["USER"] = "fuzz",
        ["A"] = "1",
        ["B"] = "x:y",
        ["EMPTY"] = string.Empty,
    });

    public static PipelineOutcome Run(string text, string workingDirectory, PipelineVariant variant, CancellationToken cancellationToken = default)
    {
        var result = ProjectLoader.Load(
            new LoadOptions
            {
                Files = [ProjectLoader.StandardInputName],
                WorkingDirectory = workingDirectory,
                StandardInput = new StringReader(text),
                Environment = Environment,
                Interpolate = variant.Interpolate,
                CheckConsistency = variant.CheckConsistency,
            },
            cancellationToken);
        CheckDiagnostics("config", result.Diagnostics, failed: !result.Succeeded);
        if (result.Project is not { } project)
        {
            return result.Diagnostics.Any(d => d.Code == DiagnosticCodes.YamlSyntax) ? PipelineOutcome.YamlSyntaxError : PipelineOutcome.InvalidProject;
        }

        _ = CanonicalYamlWriter.Write(project.Root);
        _ = CanonicalJsonWriter.Write(project.Root);

        var kubernetes = KubernetesConverter.Convert(project, new KubernetesConvertOptions
        {
            NetworkPolicies = variant.NetworkPolicies,
            PublishedServiceType = variant.NodePort ? PublishedServiceType.NodePort : PublishedServiceType.LoadBalancer,
            FileContents = Berth.Kubernetes.Convert.ResourceContentReader.Read(project),
        });
        CheckDiagnostics("convert (Kubernetes)", kubernetes.Diagnostics, failed: kubernetes.HasErrors);
        if (!kubernetes.HasErrors)
        {
            _ = KubernetesManifestWriter.ToYaml(kubernetes);
            _ = KubernetesManifestWriter.ToJson(kubernetes);
            _ = KubernetesManifestWriter.ToFiles(kubernetes, "yaml");
        }

        var swarm = SwarmConverter.Convert(project, new SwarmConvertOptions
        {
            Stack = "fuzz",
            Contents = Berth.Swarm.ResourceContentReader.Read(project),
        });
        CheckDiagnostics("convert (Swarm)", swarm.Diagnostics, failed: swarm.HasErrors);
        if (!swarm.HasErrors)
        {
            foreach (var service in swarm.Services)
            {
                _ = SwarmJson.Serialize(service.Spec);
            }

            foreach (var network in swarm.Networks.Where(n => n.Create is not null))
            {
                _ = SwarmJson.Serialize(network.Create!);
            }
        }

        return kubernetes.HasErrors || swarm.HasErrors ? PipelineOutcome.Loaded : PipelineOutcome.Converted;
    }

    private static void CheckDiagnostics(string stage, ImmutableArray<Diagnostic> diagnostics, bool failed)
    {
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (failed && errors.Count == 0)
        {
            throw new PipelineInvariantException($"{stage} failed without an error diagnostic");
        }

        foreach (var d in diagnostics)
        {
            if (string.IsNullOrWhiteSpace(d.Code) || string.IsNullOrWhiteSpace(d.Message))
            {
                throw new PipelineInvariantException($"{stage}: a diagnostic without code or message: {d}");
            }

            // A syntax error must say where it is.
            if (d.Code == DiagnosticCodes.YamlSyntax && (d.Location.Line < 1 || d.Location.Column < 1 || string.IsNullOrEmpty(d.Location.File)))
            {
                throw new PipelineInvariantException($"{stage}: a YAML syntax error without a location: {d}");
            }
        }
    }
}
