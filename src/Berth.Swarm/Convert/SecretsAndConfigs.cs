using System.Security.Cryptography;
using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>Secrets and configs: the stack's content-addressed objects and the services' references to them.</summary>
internal static class SecretsAndConfigs
{
    public static List<SecretReference>? SecretReferences(ConversionContext context, MappingNode service, string path, IReadOnlyDictionary<string, ResourceDraft> secrets)
    {
        if (service.Seq("secrets") is not { Count: > 0 } refs)
        {
            return null;
        }

        var result = new List<SecretReference>();
        for (var i = 0; i < refs.Count; i++)
        {
            if (refs[i] is not MappingNode r || r.Str("source") is not { } source)
            {
                continue;
            }

            if (!secrets.TryGetValue(source, out var secret))
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined secret '{source}'", r.Location, $"{path}.secrets[{i}]");
                continue;
            }

            result.Add(new SecretReference
            {
                SecretName = secret.Name,
                File = new SecretReferenceFileTarget
                {
                    Name = r.Str("target") ?? source,
                    UID = r.Str("uid") ?? "0",
                    GID = r.Str("gid") ?? "0",
                    Mode = r.Int("mode") is { } mode ? (uint)mode : 0x124, // 0444
                },
            });
        }

        // Stable sort by name, as docker: references to the same secret keep the order written.
        return [.. result.OrderBy(s => s.SecretName, StringComparer.Ordinal)];
    }

    public static List<SwarmConfigReference>? ConfigReferences(ConversionContext context, MappingNode service, string path, IReadOnlyDictionary<string, ResourceDraft> configs)
    {
        if (service.Seq("configs") is not { Count: > 0 } refs)
        {
            return null;
        }

        var result = new List<SwarmConfigReference>();
        for (var i = 0; i < refs.Count; i++)
        {
            if (refs[i] is not MappingNode r || r.Str("source") is not { } source)
            {
                continue;
            }

            if (!configs.TryGetValue(source, out var config))
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined config '{source}'", r.Location, $"{path}.configs[{i}]");
                continue;
            }

            result.Add(new SwarmConfigReference
            {
                ConfigName = config.Name,
                File = new ConfigReferenceFileTarget
                {
                    Name = r.Str("target") ?? source,
                    UID = r.Str("uid") ?? "0",
                    GID = r.Str("gid") ?? "0",
                    Mode = r.Int("mode") is { } mode ? (uint)mode : 0x124, // 0444
                },
            });
        }

        return [.. result.OrderBy(c => c.ConfigName, StringComparer.Ordinal)];
    }

    /// <summary>Secrets or configs: stack-owned ones get <c>&lt;name&gt;_&lt;hash of content&gt;</c>; external ones keep their name.</summary>
    public static Dictionary<string, ResourceDraft> ConvertSecretsOrConfigs(ConversionContext context, string section, MappingNode declared)
    {
        var result = new Dictionary<string, ResourceDraft>(StringComparer.Ordinal);
        foreach (var entry in declared.Entries)
        {
            var node = entry.Value as MappingNode ?? MappingNode.Empty(entry.Value.Location);
            var path = $"{section}.{entry.Name}";
            if (node.Bool("external") == true)
            {
                result[entry.Name] = new ResourceDraft(entry.Name, node.Str("name") ?? entry.Name, External: true, [], []);
                continue;
            }

            foreach (var key in new[] { "driver", "driver_opts", "template_driver" })
            {
                if (node[key] is { } unsupportedKey)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' on {section} is not supported by Berth yet and is ignored", unsupportedKey.Location, $"{path}.{key}");
                }
            }

            // Content-addressed: Swarm refuses to change a secret's data in place, so new content is a new object.
            var data = Content(context, node, path);
            var baseName = context.ScopedName(entry.Name, node);
            var name = $"{baseName}_{System.Convert.ToHexStringLower(SHA256.HashData(data))[..10]}";
            var labels = LabelMaps.Labels(node.StringMap("labels"), context.Stack);
            labels[SwarmLabels.ResourceName] = baseName;
            result[entry.Name] = new ResourceDraft(entry.Name, name, External: false, LabelMaps.Sorted(labels)!, data);
        }

        return result;
    }

    private static byte[] Content(ConversionContext context, MappingNode node, string path)
    {
        if (node.Str("file") is { } file)
        {
            if (context.Options.Contents.TryGetValue(file, out var bytes))
            {
                return [.. bytes];
            }

            context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, $"cannot read {file}", node["file"]!.Location, path + ".file");
            return [];
        }

        if (node.Str("environment") is { } variable)
        {
            if (context.Options.Contents.TryGetValue(ResourceContentReader.EnvironmentKey(variable), out var bytes))
            {
                return [.. bytes];
            }

            context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, $"environment variable {variable} is not set", node["environment"]!.Location, path + ".environment");
            return [];
        }

        if (node.Str("content") is { } inline)
        {
            return System.Text.Encoding.UTF8.GetBytes(inline);
        }

        context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, "needs 'file', 'environment', 'content' or 'external'", node.Location, path);
        return [];
    }
}

/// <summary>A secret or config as converted: its Compose name, engine name and, for stack-owned ones, labels and data.</summary>
internal sealed record ResourceDraft(string ComposeName, string Name, bool External, Dictionary<string, string> Labels, byte[] Data);
