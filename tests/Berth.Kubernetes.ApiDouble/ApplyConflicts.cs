using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Builds the server-side apply conflict error in the real server's wording.</summary>
internal static class ApplyConflicts
{
    public static ApiException ToException(ResourceType type, string name, IReadOnlyList<(ManagedFieldsEntry Owner, string Path)> conflicts)
    {
        var message = new StringBuilder();
        message.Append(conflicts.Count == 1 ? "Apply failed with 1 conflict: " : $"Apply failed with {conflicts.Count} conflicts: ");
        var byManager = conflicts.GroupBy(c => c.Owner).ToList();
        var causes = new JsonArray();
        for (var i = 0; i < byManager.Count; i++)
        {
            var group = byManager[i];
            var owner = group.Key;
            var ownerText = $"\"{owner.Manager}\" using {owner.ApiVersion}";
            if (i > 0)
            {
                message.Append('\n');
            }

            var paths = group.Select(c => FieldPaths.Display(c.Path)).Order(StringComparer.Ordinal).ToList();
            if (paths.Count == 1)
            {
                message.Append($"conflict with {ownerText}: {paths[0]}");
            }
            else
            {
                message.Append($"conflicts with {ownerText}:");
                foreach (var path in paths)
                {
                    message.Append($"\n- {path}");
                }
            }

            foreach (var path in paths)
            {
                causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {ownerText}", ["field"] = path });
            }
        }

        return ApiException.ApplyConflict(type, name, message.ToString(), causes);
    }
}
