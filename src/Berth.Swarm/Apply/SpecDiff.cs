using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Swarm.Convert;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// One changed field of a service, live value → desired value. A null <see cref="From"/> means added, a null
/// <see cref="To"/> removed. Env entries carry only their names (From == To == name when the value changed):
/// env values can hold credentials. Secrets and configs are named, never read.
/// </summary>
internal sealed record SpecChange(string Field, string? From, string? To)
{
    /// <summary>Under TaskTemplate: the engine restarts tasks for such a change.</summary>
    internal bool InTaskTemplate { get; init; }

    /// <summary>The line <c>stack diff</c> prints, e.g. <c>Replicas: 3 → 1</c>, <c>Env: FOO added</c>.</summary>
    public string Describe() => (From, To) switch
    {
        (null, null) => $"{Field} changed",
        (null, { } to) => $"{Field}: {to} added",
        ({ } from, null) => $"{Field}: {from} removed",
        var (from, to) when from == to => $"{Field}: {from} changed",
        var (from, to) => $"{Field}: {from} → {to}",
    };
}

/// <summary>
/// Compares the spec a deploy would write with the engine's live one, both normalised for what the engine fills in
/// or stores differently (defaults such as Replicas 1 or RestartPolicy any/5s, IDs for names, pinned image digests),
/// so a hand change (<c>docker service scale</c>, <c>docker service update --env-add</c>) shows up while a spec
/// written by <c>docker stack deploy</c> from the same file compares equal.
/// </summary>
internal static class SpecDiff
{
    // Objects whose children are reported as fields of their own: TaskTemplate.ContainerSpec.Env is "Env".
    private static readonly HashSet<string> s_wrappers = new(StringComparer.Ordinal) { "TaskTemplate", "TaskTemplate/ContainerSpec", "Mode", "Mode/Replicated", "EndpointSpec" };

    // Follow from other fields or from the write itself: the hash and image labels (compared by the planner), the restart counter.
    private static readonly string[] s_ignoredLabels = [SwarmLabels.SpecHash, SwarmLabels.StackImage];

    private const int MaxValueLength = 120;

    /// <summary>The names of the changed fields, sorted (what <c>stack diff --format json</c> lists as <c>fields</c>).</summary>
    public static ImmutableArray<string> FieldNames(IEnumerable<SpecChange> changes)
        => [.. changes.Select(c => c.Field).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <param name="desired">The spec the deploy would write (names, not IDs, for networks, secrets and configs).</param>
    /// <param name="live">The engine's current spec.</param>
    /// <param name="networkNames">Network ID to name: the plan names networks, the engine stores their IDs.</param>
    public static ImmutableArray<SpecChange> Changes(ServiceSpec desired, ServiceSpec live, IReadOnlyDictionary<string, string> networkNames)
    {
        var desiredImage = desired.TaskTemplate?.ContainerSpec?.Image;
        var want = Slots(Normalised(desired, networkNames, null));
        var have = Slots(Normalised(live, networkNames, desiredImage));
        var changes = new List<SpecChange>();
        foreach (var path in want.Keys.Union(have.Keys).OrderBy(FieldName, StringComparer.Ordinal).ThenBy(p => p, StringComparer.Ordinal))
        {
            var (from, to) = (have.GetValueOrDefault(path), want.GetValueOrDefault(path));
            if (JsonNode.DeepEquals(from, to))
            {
                continue;
            }

            var field = FieldName(path);
            var inTaskTemplate = path.StartsWith("TaskTemplate/", StringComparison.Ordinal);
            var found = path switch
            {
                "Labels" or "TaskTemplate/ContainerSpec/Labels" => MapChanges(field, from as JsonObject, to as JsonObject),
                "TaskTemplate/ContainerSpec/Env" => EnvChanges(from as JsonArray, to as JsonArray),
                "TaskTemplate/ContainerSpec/Secrets" => ReferenceChanges(field, "SecretName", from as JsonArray, to as JsonArray),
                "TaskTemplate/ContainerSpec/Configs" => ReferenceChanges(field, "ConfigName", from as JsonArray, to as JsonArray),
                _ => [new SpecChange(field, Text(from), Text(to))],
            };
            changes.AddRange(found.Select(c => c with { InTaskTemplate = inTaskTemplate }));
        }

        return [.. changes];
    }

    /// <summary>
    /// The spec as JSON with engine defaults made explicit and empty values dropped, so "absent" and "the engine's
    /// default" compare equal (swarmkit's defaults: api/defaults/service.go; the daemon's conversion fills Replicas 1,
    /// Isolation default, Runtime container, endpoint mode vip).
    /// </summary>
    private static JsonObject Normalised(ServiceSpec spec, IReadOnlyDictionary<string, string> networkNames, string? desiredImage)
    {
        var root = (JsonObject)JsonNode.Parse(SwarmJson.SerializeToUtf8Bytes(spec))!;
        if (root["Labels"] is JsonObject labels)
        {
            foreach (var label in s_ignoredLabels)
            {
                labels.Remove(label);
            }
        }

        var task = Child(root, "TaskTemplate");
        task.Remove("ForceUpdate");
        RemoveIf(task, "Runtime", "container");
        var container = Child(task, "ContainerSpec");
        RemoveIf(container, "Isolation", "default");
        RemoveIf(container, "StopGracePeriod", "00:00:10");

        // A live image pinned by digest (docker stack deploy, --resolve-image) matches the same reference without it.
        if (desiredImage is not null && !desiredImage.Contains('@', StringComparison.Ordinal) && container["Image"]?.GetValue<string>() is { } image)
        {
            container["Image"] = ImagePinning.WithoutDigest(image);
        }

        // The plan names secrets, configs and networks; the engine stores IDs (and keeps the order it was sent).
        SortReferences(container, "Secrets", "SecretID");
        SortReferences(container, "Configs", "ConfigID");
        if (task["Networks"] is JsonArray networks)
        {
            foreach (var network in networks.OfType<JsonObject>())
            {
                if (network["Target"]?.GetValue<string>() is { } target && networkNames.TryGetValue(target, out var name))
                {
                    network["Target"] = name;
                }
            }

            task["Networks"] = new JsonArray([.. networks.Select(n => n?.DeepClone()).OrderBy(n => n?.ToJsonString(), StringComparer.Ordinal)]);
        }

        var restart = Child(task, "RestartPolicy");
        Default(restart, "Condition", "any");
        Default(restart, "Delay", "00:00:05");

        var mode = Child(root, "Mode");
        if (mode.Count == 0)
        {
            mode["Replicated"] = new JsonObject();
        }

        if (mode["Replicated"] is JsonObject replicated)
        {
            replicated["Replicas"] ??= 1;
        }

        foreach (var name in new[] { "UpdateConfig", "RollbackConfig" })
        {
            var update = Child(root, name);
            if (update.Count == 0)
            {
                update["Parallelism"] = 1;
            }

            Default(update, "FailureAction", "pause");
            Default(update, "Order", "stop-first");
            Default(update, "Monitor", "00:00:05");
        }

        var endpoint = Child(root, "EndpointSpec");
        RemoveIf(endpoint, "Mode", "vip");
        foreach (var port in (endpoint["Ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            RemoveIf(port, "Protocol", "tcp");
            RemoveIf(port, "PublishMode", "ingress");
        }

        Prune(root, keepZero: false);
        return root;
    }

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child)
        {
            return child;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    private static void RemoveIf(JsonObject node, string name, string value)
    {
        if (node[name] is JsonValue v && v.TryGetValue<string>(out var s) && (s == value || s.Length == 0))
        {
            node.Remove(name);
        }
    }

    private static void Default(JsonObject node, string name, string value)
    {
        if (node[name] is null || (node[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
        {
            node[name] = value;
        }
    }

    private static void SortReferences(JsonObject container, string name, string idProperty)
    {
        if (container[name] is JsonArray references)
        {
            foreach (var reference in references.OfType<JsonObject>())
            {
                reference.Remove(idProperty);
            }

            container[name] = new JsonArray([.. references.Select(r => r?.DeepClone()).OrderBy(r => r?.ToJsonString(), StringComparer.Ordinal)]);
        }
    }

    /// <summary>
    /// Drops null, false, zero, zero durations, empty strings and empty objects or lists: the engine's Go types treat
    /// them as unset. Replica counts keep their zero (0 replicas is not the default 1).
    /// </summary>
    private static bool Prune(JsonNode? node, bool keepZero)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (Prune(child, keepZero || key == "Mode"))
                    {
                        obj.Remove(key);
                    }
                }

                return obj.Count == 0;
            case JsonArray array:
                foreach (var item in array)
                {
                    Prune(item, keepZero);
                }

                return array.Count == 0;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.False => true,
                    System.Text.Json.JsonValueKind.Number => !keepZero && value.ToJsonString() is "0" or "0.0",
                    System.Text.Json.JsonValueKind.String => value.GetValue<string>() is "" or "00:00:00",
                    _ => false,
                };
            default:
                return false;
        }
    }

    /// <summary>The fields reported on their own: children of the root and of the wrapper objects.</summary>
    private static Dictionary<string, JsonNode?> Slots(JsonObject root)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Walk(root, string.Empty);
        return result;

        void Walk(JsonObject obj, string path)
        {
            foreach (var (key, child) in obj)
            {
                var childPath = path.Length == 0 ? key : path + "/" + key;
                if (child is JsonObject inner && s_wrappers.Contains(childPath))
                {
                    Walk(inner, childPath);
                }
                else
                {
                    result[childPath] = child;
                }
            }
        }
    }

    private static string FieldName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static IEnumerable<SpecChange> MapChanges(string field, JsonObject? from, JsonObject? to)
    {
        var before = from ?? [];
        var after = to ?? [];
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var (old, now) = (before[key], after[key]);
            if (!JsonNode.DeepEquals(old, now))
            {
                yield return new SpecChange(field, old is null ? null : $"{key}={Text(old)}", now is null ? null : $"{key}={Text(now)}");
            }
        }
    }

    private static IEnumerable<SpecChange> EnvChanges(JsonArray? from, JsonArray? to)
    {
        var before = EnvMap(from);
        var after = EnvMap(to);
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var (inBefore, inAfter) = (before.TryGetValue(key, out var old), after.TryGetValue(key, out var now));
            if (!inBefore || !inAfter || old != now)
            {
                yield return new SpecChange("Env", inBefore ? key : null, inAfter ? key : null);
            }
        }
    }

    /// <summary>Env entries by name; <c>NAME</c> without <c>=</c> (unset in the container) differs from <c>NAME=</c>.</summary>
    private static Dictionary<string, string?> EnvMap(JsonArray? entries)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var entry in entries?.Select(e => e?.GetValue<string>()).OfType<string>() ?? [])
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            map[eq < 0 ? entry : entry[..eq]] = eq < 0 ? null : entry[(eq + 1)..];
        }

        return map;
    }

    /// <summary>Secret and config references by name; a changed content hash reads <c>x_token_abc → x_token_def</c>.</summary>
    private static IEnumerable<SpecChange> ReferenceChanges(string field, string nameProperty, JsonArray? from, JsonArray? to)
    {
        var before = (from ?? []).Where(r => r is not null).ToList();
        var after = (to ?? []).Where(r => r is not null).ToList();
        var removed = before.Where(b => !after.Any(a => JsonNode.DeepEquals(a, b))).ToList();
        var added = after.Where(a => !before.Any(b => JsonNode.DeepEquals(a, b))).ToList();
        string BareName(JsonNode? n) => n?[nameProperty]?.GetValue<string>() ?? Text(n) ?? string.Empty;

        // One secret mounted twice: the target file tells the two lines apart.
        var repeated = new[] { before, after }.SelectMany(list => list.GroupBy(BareName).Where(g => g.Count() > 1).Select(g => g.Key)).ToHashSet(StringComparer.Ordinal);
        string Name(JsonNode? n) => repeated.Contains(BareName(n)) && Text(n?["File"]?["Name"]) is { } file ? $"{BareName(n)} ({file})" : BareName(n);

        // Pair a removed reference with an added one at the same target: the same mount with new content.
        foreach (var old in removed.ToList())
        {
            var target = Text(old?["File"]?["Name"]) ?? Name(old);
            var match = added.FirstOrDefault(a => (Text(a?["File"]?["Name"]) ?? Name(a)) == target);
            if (match is not null)
            {
                removed.Remove(old);
                added.Remove(match);
                yield return BareName(old) == BareName(match)
                    ? new SpecChange(field, $"{BareName(old)} {Text(old)}", $"{BareName(match)} {Text(match)}")
                    : new SpecChange(field, Name(old), Name(match));
            }
        }

        if (removed.Count == 1 && added.Count == 1)
        {
            yield return new SpecChange(field, Name(removed[0]), Name(added[0]));
            yield break;
        }

        foreach (var old in removed)
        {
            yield return new SpecChange(field, Name(old), null);
        }

        foreach (var now in added)
        {
            yield return new SpecChange(field, null, Name(now));
        }
    }

    /// <summary>A value for a reader: strings bare, everything else as compact JSON, cut when long.</summary>
    private static string? Text(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();
        return text.Length <= MaxValueLength ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxValueLength]}…");
    }
}
