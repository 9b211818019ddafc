using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>
/// Deterministic JSON of the specs, for the spec hash and for golden files. Not the wire format (the client
/// library has its own, e.g. durations in nanoseconds); here durations print as <c>00:00:10</c>.
/// </summary>
public static class SwarmJson
{
    public static byte[] SerializeToUtf8Bytes(ServiceSpec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, SwarmJsonContext.Default.ServiceSpec);

    public static string Serialize(ServiceSpec spec) => JsonSerializer.Serialize(spec, SwarmJsonContext.Indented.ServiceSpec);

    public static string Serialize(NetworksCreateParameters network) => JsonSerializer.Serialize(network, SwarmJsonContext.Indented.NetworksCreateParameters);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServiceSpec))]
[JsonSerializable(typeof(NetworksCreateParameters))]
internal sealed partial class SwarmJsonContext : JsonSerializerContext
{
    private static SwarmJsonContext? s_indented;

    public static SwarmJsonContext Indented => s_indented ??= new SwarmJsonContext(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        IndentSize = 2,
    });
}
