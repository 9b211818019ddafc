using System.Globalization;
using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>What a GET answers: the object, a Table (kubectl get) or PartialObjectMetadata (garbage collector).</summary>
internal enum OutputKind
{
    Object,
    Table,
    PartialObjectMetadata,
}

/// <summary>
/// The Table for kubectl get (AS/pkg/endpoints/handlers/response.go, AS/pkg/registry/rest/table.go): NAME,
/// SERVICES, PORTS, STATUS, AGE, each row carrying PartialObjectMetadata unless includeObject says otherwise.
/// Nothing from the spec but counts and published ports: no environment values or secrets.
/// </summary>
internal static class Tables
{
    /// <summary>The output kind the Accept header asks for, first acceptable wins; none acceptable → 406.</summary>
    public static OutputKind Negotiate(string accept, bool list)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return OutputKind.Object;
        }

        foreach (var part in accept.Split(','))
        {
            var media = MediaType.Parse(part);
            if (media.Type is not ("application/json" or "*/*" or "application/*"))
            {
                continue;
            }

            var asKind = media.Get("as");
            if (asKind is null)
            {
                return OutputKind.Object;
            }

            if (media.Get("g") == "meta.k8s.io" && media.Get("v") is "v1" or "v1beta1")
            {
                if (asKind == "Table")
                {
                    return OutputKind.Table;
                }

                if (asKind == (list ? "PartialObjectMetadataList" : "PartialObjectMetadata") || asKind == "PartialObjectMetadata")
                {
                    return OutputKind.PartialObjectMetadata;
                }
            }
        }

        throw ApiStatus.NotAcceptable("application/json");
    }

    public static JsonArray Columns() =>
    [
        Column("Name", "string", "name", "Name must be unique within a namespace.", 0),
        Column("Services", "integer", string.Empty, "The number of services of the stack.", 0),
        Column("Ports", "string", string.Empty, "The published ports.", 0),
        Column("Status", "string", string.Empty, "The reconciliation status of the stack.", 0),
        Column("Age", "date", string.Empty, "CreationTimestamp: when the stack was created.", 0),
    ];

    public static JsonObject Table(IEnumerable<JsonObject> stored, string version, string includeObject, JsonObject? listMetadata, bool withColumns, DateTimeOffset now)
    {
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata ?? new JsonObject(),
            ["columnDefinitions"] = withColumns ? Columns() : new JsonArray(),
            ["rows"] = new JsonArray([.. stored.Select(s => (JsonNode)Row(s, version, includeObject, now))]),
        };
        return table;
    }

    private static JsonObject Row(JsonObject stored, string version, string includeObject, DateTimeOffset now)
    {
        var (services, ports, status) = StackSummary.Of(stored);
        var metadata = stored["metadata"] as JsonObject ?? [];
        var row = new JsonObject
        {
            ["cells"] = new JsonArray(metadata["name"]?.ToString() ?? string.Empty, services, ports, status, Age(metadata["creationTimestamp"]?.ToString(), now)),
        };
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                row["object"] = StackCodec.Encode(stored, version);
                break;
            default:
                row["object"] = PartialObjectMetadata(stored);
                break;
        }

        return row;
    }

    public static JsonObject PartialObjectMetadata(JsonObject stored) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = stored["metadata"]?.DeepClone() ?? new JsonObject(),
    };

    private static JsonObject Column(string name, string type, string format, string description, int priority)
        => new() { ["name"] = name, ["type"] = type, ["format"] = format, ["description"] = description, ["priority"] = priority };

    /// <summary>AM/pkg/util/duration/duration.go HumanDuration, as table.ConvertToHumanReadableDateType renders ages.</summary>
    public static string Age(string? timestamp, DateTimeOffset now)
    {
        if (timestamp is null || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var d = now - created;
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m") : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{s}s");
        }

        if (minutes < 180)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours}h") : string.Create(CultureInfo.InvariantCulture, $"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours / 24}d") : string.Create(CultureInfo.InvariantCulture, $"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours / 24 / 365}y") : string.Create(CultureInfo.InvariantCulture, $"{hours / 24 / 365}y{dy}d");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{hours / 24 / 365}y");
    }
}
