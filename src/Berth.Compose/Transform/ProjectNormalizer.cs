using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Turns the merged document into the canonical project: env_file loaded into environment, key-only
/// variables resolved, durations and byte sizes parsed, implied defaults made explicit (default network …),
/// top-level resources given their names.
/// </summary>
public static class ProjectNormalizer
{
    /// <summary>
    /// The dotenv parser used for <c>env_file</c> and <c>label_file</c> (compose-go's dotenv rules).
    /// </summary>
    private static readonly NormalizeEnvFileParser EnvFileParser = NormalizeEnvFileParsers.ParseDotEnv;

    public static MappingNode Normalize(MappingNode document, NormalizeContext context, DiagnosticBag diagnostics)
        => Normalize(document, context, diagnostics, EnvFileParser);

    /// <summary>Same as the public overload, with the dotenv parser passed in (tests, and the integration seam).</summary>
    internal static MappingNode Normalize(MappingNode document, NormalizeContext context, DiagnosticBag diagnostics, NormalizeEnvFileParser envFileParser)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var result = document;
        var nameNode = result["name"];
        if (nameNode is not ScalarNode { Kind: ScalarKind.String } existingName || existingName.Value != context.ProjectName)
        {
            result = result.With("name", ScalarNode.String(context.ProjectName, nameNode?.Location ?? document.Location));
        }

        // The loader normally removes 'version' first; this keeps the rule when Normalize is used on its own.
        if (result.TryGet("version", out var version))
        {
            diagnostics.Warning(DiagnosticCodes.DeprecatedKey, VersionKeyWarning.Message, version.Location, "version", VersionKeyWarning.Hint);
            result = result.Without("version");
        }

        if (result["services"] is MappingNode services)
        {
            var names = services.Keys.ToHashSet(StringComparer.Ordinal);
            var environment = new NormalizeEnvironment(context, envFileParser, diagnostics);
            result = result.With("services", NormalizeNodes.MapValues(services, (name, value) =>
            {
                if (value is not MappingNode service)
                {
                    return value;
                }

                var path = $"services.{name}";
                service = environment.Apply(service, path);
                service = NormalizeServiceDefaults.Apply(service, context, names);
                service = NormalizeUnique.Apply(service);
                return NormalizeUnits.Apply(service, path, diagnostics);
            }));
        }

        result = NormalizeResources.AddDefaultNetwork(result);
        return NormalizeResources.AssignNames(result, context.ProjectName);
    }
}
