using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Per-service consistency: something to run, no conflicting keys, sane replica counts, nothing left unresolved.</summary>
internal static class SemanticServiceChecks
{
    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        if (project.Document.TryGet("version", out var version))
        {
            diagnostics.Warning(DiagnosticCodes.DeprecatedKey, VersionKeyWarning.Message, version.Location, "version", VersionKeyWarning.Hint);
        }

        foreach (var service in project.Services)
        {
            var def = service.Definition;
            // A 'provider' service is run by an external tool (compose 'provider' extension) and needs no image.
            if (!HasValue(def["image"]) && !def.ContainsKey("build") && !def.ContainsKey("provider"))
            {
                diagnostics.Error(
                    DiagnosticCodes.MissingImage,
                    $"service '{service.Name}' has neither an image nor a build context specified",
                    service.Key.Location,
                    service.Path,
                    "add 'image: NAME' or a 'build:' section");
            }

            if (HasValue(def["network_mode"]) && def.TryGetEntry("networks", out var networks) && networks.Value is MappingNode { Count: > 0 } or SequenceNode { Count: > 0 })
            {
                diagnostics.Error(
                    DiagnosticCodes.Conflict,
                    $"service '{service.Name}' sets both 'network_mode' and 'networks'",
                    networks.Key.Location,
                    $"{service.Path}.networks",
                    "remove 'networks' (network_mode decides the container's network) or remove 'network_mode'");
            }

            if (def.TryGetEntry("extends", out var extends))
            {
                diagnostics.Error(
                    DiagnosticCodes.InvalidValue,
                    $"'extends' of service '{service.Name}' was not resolved",
                    extends.Key.Location,
                    $"{service.Path}.extends",
                    "this is a Berth bug: extends is applied before validation; please report it");
            }

            CheckReplicas(service, diagnostics);
        }
    }

    private static void CheckReplicas(SemanticService service, DiagnosticBag diagnostics)
    {
        var def = service.Definition;
        var replicasNode = (def["deploy"] as MappingNode)?["replicas"] as ScalarNode;
        var scaleNode = def["scale"] as ScalarNode;
        long? replicas = Count(replicasNode, $"{service.Path}.deploy.replicas", diagnostics);
        long? scale = Count(scaleNode, $"{service.Path}.scale", diagnostics);

        if (replicas is { } r && scale is { } s && r != s)
        {
            diagnostics.Error(
                DiagnosticCodes.Conflict,
                $"service '{service.Name}' sets different values for 'scale' ({s}) and 'deploy.replicas' ({r})",
                scaleNode!.Location,
                $"{service.Path}.scale",
                "keep only deploy.replicas");
        }

        // Container names are unique on an engine, so a fixed name allows only one replica.
        if (def["container_name"] is ScalarNode { IsNull: false } containerName && Math.Max(replicas ?? 1, scale ?? 1) > 1)
        {
            diagnostics.Error(
                DiagnosticCodes.Conflict,
                $"service '{service.Name}' sets 'container_name' and more than one replica",
                containerName.Location,
                $"{service.Path}.container_name",
                "remove container_name, or run a single replica");
        }
    }

    private static long? Count(ScalarNode? node, string path, DiagnosticBag diagnostics)
    {
        if (node is null || node.IsNull || !node.TryGetInt64(out var value))
        {
            return null;
        }

        if (value < 0)
        {
            diagnostics.Error(DiagnosticCodes.InvalidValue, $"replica count {value} is negative", node.Location, path, "use 0 or more replicas");
            return null;
        }

        return value;
    }

    private static bool HasValue(ComposeNode? node) => node is not null and not ScalarNode { IsNull: true } and not ScalarNode { Value: "" };
}
