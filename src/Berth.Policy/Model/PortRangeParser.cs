using Berth.Policy.Parsing;

namespace Berth.Policy.Model;

/// <summary>Reads <c>8080</c> or <c>30000-32767</c> (1..65535) as policy files and canonical Compose ports write them.</summary>
internal static class PortRangeParser
{
    public static bool TryParse(string text, out PortRange range) => RuleSetReader.TryParseRange(text, out range);
}
