using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Swarm.Convert;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// Names the fields that differ between the spec a deploy would write and the engine's current one, e.g.
/// <c>Env</c>, <c>Image</c>, <c>Replicas</c>. Only names: values can hold secrets. The engine fills in defaults the
/// plan leaves out, so a field the plan does not set counts as unchanged unless it is a list the plan empties.
/// </summary>
internal static class SpecDiff
{
    // Wrappers that say nothing to a reader: TaskTemplate.ContainerSpec.Env is reported as Env.
    private static readonly string[] s_wrappers = ["TaskTemplate/ContainerSpec/", "TaskTemplate/", "Mode/Replicated/", "Mode/", "EndpointSpec/"];

    // Follow from other fields or from the write itself: the hash and image labels, the restart counter.
    private static readonly HashSet<string> s_ignored = new(StringComparer.Ordinal)
    {
        "Labels/" + SwarmLabels.SpecHash,
        "Labels/" + SwarmLabels.StackImage,
        "TaskTemplate/ForceUpdate",
    };

    /// <param name="desired">The spec the deploy would write.</param>
    /// <param name="existing">The engine's current spec.</param>
    /// <param name="networkNames">Network ID to name: the plan names networks, the engine stores their IDs.</param>
    public static ImmutableArray<string> ChangedFields(ServiceSpec desired, ServiceSpec existing, IReadOnlyDictionary<string, string> networkNames)
    {
        var want = Flatten(desired);
        var have = Flatten(Normalised(existing, networkNames));
        var fields = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, value) in want)
        {
            if (!s_ignored.Contains(path) && (!have.TryGetValue(path, out var current) || current != value))
            {
                fields.Add(FieldName(path));
            }
        }

        foreach (var (path, value) in have)
        {
            // Missing from the plan: an engine default, unless it is a list the plan no longer has (all env removed).
            if (!s_ignored.Contains(path) && !want.ContainsKey(path) && value.StartsWith('[') && value != "[]")
            {
                fields.Add(FieldName(path));
            }
        }
        return [.. fields];
    }

    /// <summary>The engine's spec with what it adds to the written one taken out: secret/config IDs (the plan has names only), network IDs, image digests.</summary>
    private static ServiceSpec Normalised(ServiceSpec existing, IReadOnlyDictionary<string, string> networkNames)
    {
        var copy = JsonSerializer.Deserialize(SwarmJson.SerializeToUtf8Bytes(existing), SwarmJsonContext.Default.ServiceSpec)!;
        foreach (var network in copy.TaskTemplate?.Networks ?? [])
        {
            if (network.Target is { } target && networkNames.TryGetValue(target, out var name))
            {
                network.Target = name;
            }
        }

        if (copy.TaskTemplate?.ContainerSpec is { } container)
        {
            foreach (var secret in container.Secrets ?? [])
            {
                secret.SecretID = null!;
            }

            foreach (var config in container.Configs ?? [])
            {
                config.ConfigID = null!;
            }

            if (container.Image is { } image && image.IndexOf('@', StringComparison.Ordinal) is var at and > 0)
            {
                container.Image = image[..at];
            }
        }

        return copy;
    }

    private static Dictionary<string, string> Flatten(ServiceSpec spec)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(JsonNode.Parse(SwarmJson.SerializeToUtf8Bytes(spec)), string.Empty, result);
        return result;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> result)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
            {
                Walk(child, path.Length == 0 ? key : path + "/" + key, result);
            }
        }
        else if (node is not null)
        {
            // Lists are compared whole: an Env entry moving is still "Env changed".
            result[path] = node.ToJsonString();
        }
    }

    private static string FieldName(string path)
    {
        foreach (var wrapper in s_wrappers)
        {
            if (path.StartsWith(wrapper, StringComparison.Ordinal))
            {
                path = path[wrapper.Length..];
                break;
            }
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }
}
