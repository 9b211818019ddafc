using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>An object as stored (with managedFields rendered into it) plus its field ownership.</summary>
internal sealed record StoredObject(ResourceType Type, JsonObject Object, List<ManagedFieldsEntry> Managers)
{
    public string Namespace => Object["metadata"]?["namespace"]?.GetValue<string>() ?? "";

    public string Name => Object["metadata"]!["name"]!.GetValue<string>();

    public string ResourceVersion => Object["metadata"]!["resourceVersion"]!.GetValue<string>();

    public string Uid => Object["metadata"]!["uid"]!.GetValue<string>();

    public List<ManagedFieldsEntry> CloneManagers() => Managers.Select(m => m.Clone()).ToList();
}
