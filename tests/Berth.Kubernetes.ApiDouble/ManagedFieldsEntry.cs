using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>What one field manager owns in one object (one metadata.managedFields entry).</summary>
internal sealed class ManagedFieldsEntry(string manager, string operation, string apiVersion, string time, HashSet<string> fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public string Manager { get; } = manager;

    public string Operation { get; } = operation;

    public string ApiVersion { get; set; } = apiVersion;

    public string Time { get; set; } = time;

    public HashSet<string> Fields { get; set; } = fields;

    public ManagedFieldsEntry Clone() => new(Manager, Operation, ApiVersion, Time, new HashSet<string>(Fields, StringComparer.Ordinal));

    public bool SameOwnership(ManagedFieldsEntry other) =>
        Manager == other.Manager && Operation == other.Operation && ApiVersion == other.ApiVersion && Fields.SetEquals(other.Fields);

    public JsonObject ToJson() => new()
    {
        ["manager"] = Manager,
        ["operation"] = Operation,
        ["apiVersion"] = ApiVersion,
        ["time"] = Time,
        ["fieldsType"] = "FieldsV1",
        ["fieldsV1"] = FieldPaths.ToFieldsV1(Fields),
    };
}
