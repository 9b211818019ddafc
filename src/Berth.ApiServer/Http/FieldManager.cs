using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>One metadata.managedFields entry (AM/pkg/apis/meta/v1/types.go ManagedFieldsEntry).</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string ApiVersion, string? Time, string? Subresource, ImmutableHashSet<string> Fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    // The manager's identity (AM/pkg/util/managedfields/internal/managedfields.go BuildManagerIdentifier): name,
    // operation and subresource; an updater also by API version, an applier whatever version it used.
    public bool SameManager(ManagedFieldsEntry other) =>
        Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource && (Operation == Apply || ApiVersion == other.ApiVersion);

    // printManager in AM/pkg/util/managedfields/internal/conflict.go.
    public string Describe()
    {
        var text = $"\"{Manager}\"" + (Subresource is null ? string.Empty : $" with subresource \"{Subresource}\"");
        return Operation == Update ? $"{text} using {ApiVersion}" : text;
    }

    public JsonObject ToJson()
    {
        var entry = new JsonObject { ["manager"] = Manager, ["operation"] = Operation, ["apiVersion"] = ApiVersion };
        if (Time is not null)
        {
            entry["time"] = Time;
        }

        entry["fieldsType"] = "FieldsV1";
        entry["fieldsV1"] = FieldSets.ToFieldsV1(Fields);
        if (Subresource is not null)
        {
            entry["subresource"] = Subresource;
        }

        return entry;
    }

    /// <summary>The entries of an object's metadata; null when they cannot be read (the live ones are used then).</summary>
    public static ImmutableArray<ManagedFieldsEntry>? Read(JsonObject? obj)
    {
        if (obj?["metadata"]?["managedFields"] is not JsonArray list)
        {
            return [];
        }

        var entries = ImmutableArray.CreateBuilder<ManagedFieldsEntry>();
        foreach (var item in list)
        {
            if (item is not JsonObject e || e["manager"]?.GetValueKind() is not System.Text.Json.JsonValueKind.String
                || e["operation"]?.ToString() is not (Apply or Update) || e["fieldsType"]?.ToString() is not ("FieldsV1" or null))
            {
                return null;
            }

            entries.Add(new ManagedFieldsEntry(
                e["manager"]!.ToString(), e["operation"]!.ToString(), e["apiVersion"]?.ToString() ?? string.Empty,
                e["time"]?.ToString(), e["subresource"]?.ToString() is { Length: > 0 } s ? s : null, FieldSets.FromFieldsV1(e["fieldsV1"] as JsonObject)));
        }

        return entries.ToImmutable();
    }
}

/// <summary>
/// What kube-apiserver's field manager does for every write (AM/pkg/util/managedfields/internal/structuredmerge.go,
/// managedfieldsupdater.go; structured-merge-diff merge/update.go): keeps metadata.managedFields, and for server-side
/// apply detects conflicts with other managers and prunes the fields an applier stopped applying.
/// </summary>
internal sealed class FieldManager(string manager, string version, FieldScope scope, bool force, DateTimeOffset now)
{
    // validation.FieldManagerMaxLength (AM/pkg/apis/meta/v1/validation/validation.go).
    private const int MaxManagerLength = 128;

    private string ApiVersion { get; } = StackApiGroup.ApiVersion(version);

    private string? Subresource => scope == FieldScope.Status ? "status" : null;

    private string Now => now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The manager of a request: <c>fieldManager</c>, else the user agent up to its first '/', printable characters
    /// only, at most 128 bytes (AS/pkg/endpoints/handlers/rest.go managerOrUserAgent, prefixFromUserAgent).
    /// </summary>
    public static FieldManager For(HttpContext context, string version, bool statusOnly, TimeProvider time)
    {
        var manager = context.Request.Query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            var builder = new StringBuilder();
            foreach (var rune in context.Request.Headers.UserAgent.ToString().Split('/')[0].EnumerateRunes())
            {
                if (Rune.IsControl(rune))
                {
                    continue;
                }

                if (Encoding.UTF8.GetByteCount(builder.ToString()) + rune.Utf8SequenceLength > MaxManagerLength)
                {
                    break;
                }

                builder.Append(rune.ToString());
            }

            manager = builder.ToString();
        }
        else if (Encoding.UTF8.GetByteCount(manager) > MaxManagerLength)
        {
            throw ApiStatus.Invalid("PatchOptions", string.Empty, [new StatusCause("FieldValueTooLong", $"Too long: may not be more than {MaxManagerLength} bytes", "fieldManager")]);
        }

        var force = context.Request.Query["force"].ToString() is "true" or "1";
        return new FieldManager(manager, version, statusOnly ? FieldScope.Status : FieldScope.Main, force, time.GetUtcNow());
    }

    /// <summary>Records the write in <paramref name="desired"/>'s managed fields: an apply when <paramref name="applied"/> is its configuration.</summary>
    public void Track(JsonObject? live, JsonObject desired, JsonObject? applied)
    {
        if (applied is null)
        {
            Update(live, desired);
        }
        else
        {
            Apply(live, desired, applied);
        }
    }

    private ManagedFieldsEntry Self(string operation, ImmutableHashSet<string> fields, string? time) => new(manager, operation, ApiVersion, time, Subresource, fields);

    /// <summary>
    /// A create, update or non-apply patch (managedFieldsUpdater.Update): the manager takes every field it added or
    /// changed, from whoever owned it; removed fields leave every manager. Managed fields sent in the body replace
    /// the live ones, so a client can reset them.
    /// </summary>
    public void Update(JsonObject? live, JsonObject desired)
    {
        var managers = ManagedFieldsEntry.Read(desired) is { IsEmpty: false } sent ? sent : ManagedFieldsEntry.Read(live) ?? [];
        var self = Self(ManagedFieldsEntry.Update, [], null);
        var changed = Comparison(live, desired, ApiVersion);
        var result = TakeOver(live, desired, managers, _ => false, out _);
        var taken = changed.Added.Union(changed.Modified);
        if (!taken.IsEmpty)
        {
            var previous = result.FirstOrDefault(self.SameManager);
            result.RemoveAll(self.SameManager);
            result.Add(self with { Fields = taken.Union(previous?.Fields ?? []), Time = Now });
        }

        Write(desired, result);
    }

    /// <summary>
    /// Fields the applier applied last time and not now, owned by no one else, are removed (merge/update.go prune).
    /// Called on the merged wire object before it is decoded.
    /// </summary>
    public void Prune(JsonObject? live, JsonObject mergedWire, JsonObject config)
    {
        var managers = ManagedFieldsEntry.Read(live) ?? [];
        var self = Self(ManagedFieldsEntry.Apply, [], null);
        if (managers.FirstOrDefault(self.SameManager) is not { } last)
        {
            return;
        }

        var kept = FieldSets.Paths(config, scope).Union(managers.Where(m => !self.SameManager(m)).SelectMany(m => m.Fields));
        foreach (var path in last.Fields.Except(kept))
        {
            FieldSets.Remove(mergedWire, path);
        }
    }

    /// <summary>
    /// A server-side apply (Updater.Apply): the applier owns exactly what it applied; a field another manager owns
    /// that the apply changes is a conflict, 409 unless <c>force</c>, which takes the field from it.
    /// </summary>
    public void Apply(JsonObject? live, JsonObject desired, JsonObject config)
    {
        var managers = ManagedFieldsEntry.Read(live) ?? [];
        if (live is not null && managers.IsEmpty)
        {
            // An object that never had managed fields: what it holds belongs to "before-first-apply"
            // (AM/pkg/util/managedfields/internal/skipnonapplied.go, lastapplied upgrade).
            managers = [new ManagedFieldsEntry("before-first-apply", ManagedFieldsEntry.Update, ApiVersion, Now, Subresource, Leaves(live, ApiVersion).Keys.ToImmutableHashSet())];
        }

        var previous = managers.FirstOrDefault(Self(ManagedFieldsEntry.Apply, [], null).SameManager);
        var unchanged = live is not null && Comparison(live, desired, ApiVersion) is { Added.IsEmpty: true, Modified.IsEmpty: true, Removed.IsEmpty: true };
        var self = Self(ManagedFieldsEntry.Apply, FieldSets.Paths(config, scope), unchanged && previous is not null ? previous.Time : Now);
        var result = TakeOver(live, desired, [.. managers.Where(m => !self.SameManager(m)), self], self.SameManager, out var conflicts);
        if (conflicts.Count > 0 && !force && !(manager == "kubectl" && conflicts.All(c => AllowedByLastApplied(live).Contains(c.Path))))
        {
            throw ConflictError(conflicts);
        }

        Write(desired, result);
    }

    // lastAppliedManager (AM/pkg/util/managedfields/internal/lastappliedmanager.go): "kubectl apply --server-side"
    // (manager "kubectl") takes over from client-side apply without conflicts on the fields whose live value is
    // still what the last-applied-configuration annotation says.
    private ImmutableHashSet<string> AllowedByLastApplied(JsonObject? live)
    {
        const string annotation = "kubectl.kubernetes.io/last-applied-configuration";
        if (live?["metadata"]?["annotations"]?[annotation]?.ToString() is not { } text)
        {
            return [];
        }

        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }

        var liveLeaves = Leaves(live, ApiVersion);
        return [.. FieldSets.Leaves(lastApplied, scope).Where(e => liveLeaves.TryGetValue(e.Key, out var value) && JsonNode.DeepEquals(value, e.Value)).Select(e => e.Key)];
    }

    // Updater.update: every manager but the current one loses the fields the write changed (a conflict) and those it
    // removed, each compared at the manager's own API version.
    private List<ManagedFieldsEntry> TakeOver(JsonObject? live, JsonObject desired, IEnumerable<ManagedFieldsEntry> managers, Func<ManagedFieldsEntry, bool> isCurrent, out List<(ManagedFieldsEntry Owner, string Path)> conflicts)
    {
        conflicts = [];
        var comparisons = new Dictionary<string, FieldComparison>(StringComparer.Ordinal);
        var result = new List<ManagedFieldsEntry>();
        foreach (var entry in managers)
        {
            if (isCurrent(entry))
            {
                result.Add(entry);
                continue;
            }

            if (!comparisons.TryGetValue(entry.ApiVersion, out var comparison))
            {
                comparison = Comparison(live, desired, entry.ApiVersion);
                comparisons[entry.ApiVersion] = comparison;
            }

            var lost = entry.Fields.Where(comparison.Changed).ToList();
            conflicts.AddRange(lost.Select(path => (entry, path)));
            var kept = entry.Fields.Except(lost).Except(comparison.Removed);
            if (!kept.IsEmpty)
            {
                result.Add(entry with { Fields = kept });
            }
        }

        return result;
    }

    private FieldComparison Comparison(JsonObject? live, JsonObject desired, string apiVersion)
    {
        var at = VersionOf(apiVersion);
        return FieldSets.Compare(live is null ? null : StackCodec.Encode(live, at), StackCodec.Encode(desired, at), scope);
    }

    private Dictionary<string, JsonNode?> Leaves(JsonObject stored, string apiVersion) => FieldSets.Leaves(StackCodec.Encode(stored, VersionOf(apiVersion)), scope);

    private string VersionOf(string apiVersion)
    {
        var at = apiVersion.StartsWith(StackApiGroup.Group + "/", StringComparison.Ordinal) ? apiVersion[(StackApiGroup.Group.Length + 1)..] : string.Empty;
        return StackApiGroup.IsServed(at) ? at : version;
    }

    // Entries in the server's order (fieldmanager sortEncodedManagedFields): operation, time, manager, version.
    private static void Write(JsonObject stored, List<ManagedFieldsEntry> entries)
    {
        var metadata = (JsonObject)stored["metadata"]!;
        var list = new JsonArray();
        foreach (var entry in entries.Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal).ThenBy(e => e.Time, StringComparer.Ordinal)
            .ThenBy(e => e.Manager, StringComparer.Ordinal).ThenBy(e => e.ApiVersion, StringComparer.Ordinal).ThenBy(e => e.Subresource, StringComparer.Ordinal))
        {
            list.Add(entry.ToJson());
        }

        if (list.Count > 0)
        {
            metadata["managedFields"] = list;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    // NewConflictError and getConflictMessage (AM/pkg/util/managedfields/internal/conflict.go): one cause per field;
    // the message names the single conflict, or lists them by manager.
    private static ApiException ConflictError(List<(ManagedFieldsEntry Owner, string Path)> conflicts)
    {
        var ordered = conflicts.OrderBy(c => c.Owner.Describe(), StringComparer.Ordinal).ThenBy(c => FieldSets.Display(c.Path), StringComparer.Ordinal).ToList();
        var causes = new JsonArray();
        foreach (var (owner, path) in ordered)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {owner.Describe()}", ["field"] = FieldSets.Display(path) });
        }

        string message;
        if (ordered.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {ordered[0].Owner.Describe()}: {FieldSets.Display(ordered[0].Path)}";
        }
        else
        {
            var lines = ordered.GroupBy(c => c.Owner.Describe()).SelectMany(g => new[] { $"conflicts with {g.Key}:" }.Concat(g.Select(c => $"- {FieldSets.Display(c.Path)}")));
            message = $"Apply failed with {ordered.Count} conflicts: {string.Join('\n', lines)}";
        }

        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }
}
