using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Builds the server-side apply conflict error in the real server's wording (apiserver fieldmanager).</summary>
internal static class ApplyConflicts
{
    public static ApiException ToException(ResourceType type, string name, IReadOnlyList<(ManagedFieldsEntry Owner, string Path)> conflicts)
    {
        conflicts = conflicts.OrderBy(c => FieldPaths.Display(c.Path), StringComparer.Ordinal).ToList();
        var causes = new JsonArray();
        foreach (var (owner, path) in conflicts)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {Describe(owner)}", ["field"] = FieldPaths.Display(path) });
        }

        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Describe(conflicts[0].Owner)}: {FieldPaths.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => Describe(c.Owner)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => $"- {FieldPaths.Display(c.Path)}"));
            }

            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join('\n', lines)}";
        }

        return ApiException.ApplyConflict(type, name, message, causes);
    }

    /// <summary>Like the server's printManager: appliers by name, updaters with the API version they used.</summary>
    private static string Describe(ManagedFieldsEntry owner) =>
        owner.Operation == ManagedFieldsEntry.Update ? $"\"{owner.Manager}\" using {owner.ApiVersion}" : $"\"{owner.Manager}\"";
}
