using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Every name a service uses must be defined: networks, named volumes, secrets, configs and other services.</summary>
internal static class SemanticReferenceChecks
{
    private static readonly string[] NamespaceKeys = ["network_mode", "ipc", "pid"];

    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        var networks = project.Defined("networks").ToHashSet(StringComparer.Ordinal);
        var volumes = project.Defined("volumes").ToHashSet(StringComparer.Ordinal);
        var secrets = project.Defined("secrets").ToHashSet(StringComparer.Ordinal);
        var configs = project.Defined("configs").ToHashSet(StringComparer.Ordinal);

        foreach (var service in project.Services)
        {
            var def = service.Definition;
            if (def["networks"] is MappingNode serviceNetworks)
            {
                foreach (var entry in serviceNetworks.Entries.Where(e => !networks.Contains(e.Name)))
                {
                    diagnostics.Error(
                        DiagnosticCodes.UndefinedReference,
                        $"service '{service.Name}' uses undefined network '{entry.Name}'",
                        entry.Key.Location,
                        $"{service.Path}.networks.{entry.Name}",
                        project.DefinedHint("networks", "network"));
                }
            }

            CheckVolumes(project, service, volumes, diagnostics);
            CheckSources(project, def["secrets"], secrets, "secrets", "secret", service.Name, $"{service.Path}.secrets", diagnostics);
            CheckSources(project, def["configs"], configs, "configs", "config", service.Name, $"{service.Path}.configs", diagnostics);
            if (def["build"] is MappingNode build)
            {
                CheckSources(project, build["secrets"], secrets, "secrets", "secret", service.Name, $"{service.Path}.build.secrets", diagnostics);
            }

            CheckServiceReferences(project, service, diagnostics);
        }
    }

    private static void CheckVolumes(SemanticProject project, SemanticService service, HashSet<string> volumes, DiagnosticBag diagnostics)
    {
        if (service.Definition["volumes"] is not SequenceNode mounts)
        {
            return;
        }

        for (var i = 0; i < mounts.Count; i++)
        {
            // Only named volumes refer to the top-level section; binds, tmpfs and anonymous volumes do not.
            if (mounts.Items[i] is MappingNode mount
                && mount["type"] is ScalarNode { Value: "volume" }
                && mount["source"] is ScalarNode { IsNull: false } source
                && source.AsString().Length > 0
                && !volumes.Contains(source.AsString()))
            {
                diagnostics.Error(
                    DiagnosticCodes.UndefinedReference,
                    $"service '{service.Name}' mounts undefined volume '{source.AsString()}'",
                    source.Location,
                    $"{service.Path}.volumes[{i}].source",
                    project.DefinedHint("volumes", "volume") + " (a bind mount needs a path starting with '.', '/' or '~')");
            }
        }
    }

    private static void CheckSources(SemanticProject project, ComposeNode? list, HashSet<string> defined, string section, string kind, string serviceName, string path, DiagnosticBag diagnostics)
    {
        if (list is not SequenceNode items)
        {
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var (source, sourcePath) = items.Items[i] switch
            {
                MappingNode m => (m["source"] as ScalarNode, $"{path}[{i}].source"),
                ScalarNode s => (s, $"{path}[{i}]"),
                _ => (null, path),
            };
            if (source is { IsNull: false } && !defined.Contains(source.AsString()))
            {
                diagnostics.Error(
                    DiagnosticCodes.UndefinedReference,
                    $"service '{serviceName}' uses undefined {kind} '{source.AsString()}'",
                    source.Location,
                    sourcePath,
                    project.DefinedHint(section, kind));
            }
        }
    }

    private static void CheckServiceReferences(SemanticProject project, SemanticService service, DiagnosticBag diagnostics)
    {
        var def = service.Definition;
        if (def["depends_on"] is MappingNode dependsOn)
        {
            foreach (var entry in dependsOn.Entries.Where(e => !project.ServiceNames.Contains(e.Name)))
            {
                var path = $"{service.Path}.depends_on.{entry.Name}";
                var message = $"service '{service.Name}' depends on undefined service '{entry.Name}'";
                if (entry.Value is MappingNode dependency && dependency["required"] is ScalarNode { Kind: ScalarKind.Bool, Value: "false" })
                {
                    // required: false tolerates a missing service (for example one disabled by a profile).
                    diagnostics.Warning(DiagnosticCodes.UndefinedReference, message + " (ignored: required is false)", entry.Key.Location, path);
                }
                else
                {
                    diagnostics.Error(DiagnosticCodes.UndefinedReference, message, entry.Key.Location, path, project.ServicesHint + "; or mark the dependency 'required: false'");
                }
            }
        }

        foreach (var key in NamespaceKeys)
        {
            if (def[key] is ScalarNode { Kind: ScalarKind.String } ns
                && ns.Value.StartsWith("service:", StringComparison.Ordinal)
                && ns.Value["service:".Length..] is var target
                && !project.ServiceNames.Contains(target))
            {
                diagnostics.Error(DiagnosticCodes.UndefinedReference, $"{key} of service '{service.Name}' refers to undefined service '{target}'", ns.Location, $"{service.Path}.{key}", project.ServicesHint);
            }
        }

        CheckServiceList(def["links"], "links", "links to", service, project, string.Empty, diagnostics);
        CheckServiceList(def["volumes_from"], "volumes_from", "takes volumes from", service, project, "; use 'container:NAME' for a container outside the project", diagnostics);
    }

    private static void CheckServiceList(ComposeNode? list, string key, string verb, SemanticService service, SemanticProject project, string hintSuffix, DiagnosticBag diagnostics)
    {
        if (list is not SequenceNode items)
        {
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items.Items[i] is ScalarNode { IsNull: false } item
                && !item.AsString().StartsWith("container:", StringComparison.Ordinal)
                && item.AsString().Split(':')[0] is var target
                && !project.ServiceNames.Contains(target))
            {
                diagnostics.Error(DiagnosticCodes.UndefinedReference, $"service '{service.Name}' {verb} undefined service '{target}'", item.Location, $"{service.Path}.{key}[{i}]", project.ServicesHint + hintSuffix);
            }
        }
    }
}
