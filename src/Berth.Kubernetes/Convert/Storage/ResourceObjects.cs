using System.Collections.Immutable;
using System.Text;
using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>
/// Top-level secrets and configs → Secret and ConfigMap objects, from <c>file</c> (contents handed in by
/// <see cref="ResourceContentReader"/>), <c>content</c> or <c>environment</c>. External ones are referenced, not
/// created: the key defaults to <c>file</c> as compose-on-kubernetes documented, or <c>x-kubernetes.key</c>.
/// Values never appear in diagnostics.
/// </summary>
internal static class ResourceObjects
{
    public const string ExternalDefaultKey = "file";

    public static ResourceCatalog Build(ConversionContext context)
    {
        var secrets = Section(context, context.Project.Secrets, isSecret: true);
        var configs = Section(context, context.Project.Configs, isSecret: false);
        return new ResourceCatalog(secrets, configs);
    }

    private static ImmutableDictionary<string, ResourceRef> Section(ConversionContext context, MappingNode section, bool isSecret)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ResourceRef>(StringComparer.Ordinal);
        var kind = isSecret ? "Secret" : "ConfigMap";
        var top = isSecret ? "secrets" : "configs";
        foreach (var entry in Ordering.Stable(section.Entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name)))
        {
            var key = entry.Name;
            var node = entry.Value as MappingNode ?? MappingNode.Empty(entry.Key.Location);
            var path = $"{top}.{key}";
            var x = node.Map("x-kubernetes");
            if (node.Bool("external"))
            {
                var existing = node.Str("name") ?? key;
                if (!DnsNames.IsDns1123Subdomain(existing))
                {
                    // A pod referencing it could never start (no such object can exist), so that is an error; an
                    // unused one produces no reference at all, so it only deserves a warning.
                    var message = $"external {top[..^1]} '{existing}' is not a valid {kind} name";
                    const string Hint = "create it in Kubernetes under a DNS-1123 name and set that as 'name'";
                    if (IsUsed(context, top, key))
                    {
                        context.Diagnostics.Error(KubernetesDiagnosticCodes.InvalidName, message, entry.Key.Location, path, Hint);
                    }
                    else
                    {
                        context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidName, message + " (unused, so nothing refers to it)", entry.Key.Location, path, Hint);
                    }
                }

                var dataKey = x?.Str("key") ?? ExternalDefaultKey;
                result[key] = new ResourceRef(isSecret, key, existing, dataKey, External: true);
                context.Fidelity.Mapped(string.Empty, path, $"existing {kind} '{existing}' (key '{dataKey}'), not created", entry.Key.Location);
                continue;
            }

            var name = DnsNames.ToDns1123Subdomain(node.Str("name") ?? key);
            context.Claim(kind, name, $"{top[..^1]} '{key}'", entry.Key.Location, path);
            var content = Content(context, node, path, entry.Key.Location, out var source);
            result[key] = new ResourceRef(isSecret, key, name, key, External: false);
            if (content is null)
            {
                continue;
            }

            var meta = context.Meta(name, context.StackLabels());
            if (isSecret)
            {
                context.Add(new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = meta, Type = "Opaque", Data = new Dictionary<string, byte[]> { [key] = content } });
            }
            else
            {
                var text = TryUtf8(content);
                context.Add(new V1ConfigMap
                {
                    ApiVersion = "v1",
                    Kind = "ConfigMap",
                    Metadata = meta,
                    Data = text is null ? null : new Dictionary<string, string> { [key] = text },
                    BinaryData = text is null ? new Dictionary<string, byte[]> { [key] = content } : null,
                });
            }

            context.Fidelity.Mapped(string.Empty, path, $"{kind} '{name}' (key '{key}') from {source}", entry.Key.Location);
        }

        return result.ToImmutable();
    }

    private static byte[]? Content(ConversionContext context, MappingNode node, string path, Compose.Diagnostics.SourceLocation location, out string source)
    {
        if (node.Str("file") is { Length: > 0 } file)
        {
            source = "file";
            if (context.Options.FileContents.TryGetValue(file, out var bytes))
            {
                return [.. bytes];
            }

            context.Diagnostics.Error(KubernetesDiagnosticCodes.MissingContent, $"the file '{file}' could not be read", node.LocationOf("file"), $"{path}.file", "check that the file exists and is readable");
            return null;
        }

        if (node.Str("environment") is { Length: > 0 } variable)
        {
            source = $"environment variable {variable}";
            if (context.Project.Environment.TryGetValue(variable, out var value))
            {
                return Encoding.UTF8.GetBytes(value);
            }

            context.Diagnostics.Error(KubernetesDiagnosticCodes.MissingContent, $"the environment variable '{variable}' is not set", node.LocationOf("environment"), $"{path}.environment");
            return null;
        }

        if (node["content"] is ScalarNode content)
        {
            source = "content";
            return Encoding.UTF8.GetBytes(content.AsString());
        }

        source = "nothing";
        if (node.Str("driver") is { Length: > 0 } driver)
        {
            // Swarm secret drivers are plugins that produce the value on the node; Kubernetes has no equivalent.
            context.Diagnostics.Error(KubernetesDiagnosticCodes.MissingContent, $"gets its content from driver '{driver}', which Kubernetes cannot run", node.LocationOf("driver"), $"{path}.driver", "give file, environment or content, or create the object in Kubernetes and mark it external");
            return null;
        }

        context.Diagnostics.Error(KubernetesDiagnosticCodes.MissingContent, "has no file, environment or content", location, path);
        return null;
    }

    private static bool IsUsed(ConversionContext context, string top, string key)
    {
        foreach (var service in context.Project.Services.Entries)
        {
            if (service.Value is MappingNode definition && definition[top] is SequenceNode uses)
            {
                foreach (var use in uses.Items)
                {
                    if (use is MappingNode reference && reference.Str("source") == key)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static string? TryUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
