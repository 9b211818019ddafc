using System.Globalization;
using System.Text;

namespace Berth.Swarm.Apply.Engine;

/// <summary>A query string as the Engine API reads it: booleans as 1, filters as a JSON map; unset values left out.</summary>
internal sealed class EngineQuery
{
    private readonly StringBuilder _text = new();

    public EngineQuery Add(string name, string? value)
    {
        if (value is not null)
        {
            _text.Append(_text.Length > 0 ? "&" : string.Empty).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return this;
    }

    /// <summary>Only a true flag is sent, as Docker.DotNet and the docker CLI do (false is the engine's default).</summary>
    public EngineQuery Add(string name, bool? value) => value == true ? Add(name, "1") : this;

    public EngineQuery Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    public EngineQuery Add(string name, IDictionary<string, IDictionary<string, bool>>? filters) =>
        filters is { Count: > 0 } ? Add(name, global::System.Text.Encoding.UTF8.GetString(EngineJson.Serialize(filters, EngineJson.Context.IDictionaryStringIDictionaryStringBoolean))) : this;

    public override string ToString() => _text.ToString();
}
