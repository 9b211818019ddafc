using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Swarm.Apply;

/// <summary>
/// Sends <c>CheckDuplicate: true</c> with every network create, as the docker CLI does for API versions before 1.44
/// (where the engine makes it the default): the engine then refuses a second network of a name instead of creating a
/// duplicate next to, say, a local network of that name. Docker.DotNet's models follow the current API and no longer
/// have the field, so <see cref="Engine.EngineNetworks.CreateNetworkAsync"/> adds it to the body it sends.
/// </summary>
internal static class NetworkCreateCheck
{
    /// <summary>The request body with <c>CheckDuplicate: true</c>; anything that is not a JSON object is returned as it was.</summary>
    internal static byte[] WithCheckDuplicate(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject create)
            {
                create["CheckDuplicate"] = true;
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    create.WriteTo(writer);
                }

                return buffer.ToArray();
            }
        }
        catch (JsonException)
        {
            // Not JSON: not ours to change; the engine answers it as it is.
        }

        return body;
    }
}
