using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Port numbers in 1-65535, ranges in order and of matching lengths (ports and expose).</summary>
internal static class SemanticPortChecks
{
    private const string RangeHint = "ports are numbers from 1 to 65535; a range is written START-END with START <= END";

    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        foreach (var service in project.Services)
        {
            if (service.Definition["ports"] is SequenceNode ports)
            {
                for (var i = 0; i < ports.Count; i++)
                {
                    if (ports.Items[i] is MappingNode port)
                    {
                        CheckPort(port, $"{service.Path}.ports[{i}]", diagnostics);
                    }
                }
            }

            if (service.Definition["expose"] is SequenceNode expose)
            {
                for (var i = 0; i < expose.Count; i++)
                {
                    if (expose.Items[i] is ScalarNode { IsNull: false } item)
                    {
                        // expose entries may carry a protocol: "3000-3005/udp".
                        var text = item.AsString().Split('/')[0];
                        Range(item, text, $"{service.Path}.expose[{i}]", allowZero: false, diagnostics);
                    }
                }
            }
        }
    }

    private static void CheckPort(MappingNode port, string path, DiagnosticBag diagnostics)
    {
        (long Start, long End)? target = null;
        if (port["target"] is ScalarNode { IsNull: false } targetNode)
        {
            target = Range(targetNode, targetNode.AsString(), $"{path}.target", allowZero: false, diagnostics);
        }

        // Published 0 asks the engine for a free port, as 'docker run -p 0:80' does.
        if (port["published"] is ScalarNode { IsNull: false } publishedNode && publishedNode.AsString().Length > 0
            && Range(publishedNode, publishedNode.AsString(), $"{path}.published", allowZero: true, diagnostics) is { } published
            && target is { } t
            && t.End != t.Start
            && (published.End - published.Start) != (t.End - t.Start))
        {
            diagnostics.Error(
                DiagnosticCodes.InvalidPort,
                $"published range {publishedNode.AsString()} and target range {t.Start}-{t.End} have different lengths",
                publishedNode.Location,
                $"{path}.published",
                "give both ranges the same number of ports, or publish a single target port on a range");
        }
    }

    // Returns the range when it is valid, after reporting what is wrong otherwise.
    private static (long Start, long End)? Range(ScalarNode node, string text, string path, bool allowZero, DiagnosticBag diagnostics)
    {
        var parts = text.Trim().Split('-');
        if (parts.Length > 2 || !TryPort(parts[0], out var start) || !TryPort(parts[^1], out var end))
        {
            diagnostics.Error(DiagnosticCodes.InvalidPort, $"invalid port '{text}'", node.Location, path, RangeHint);
            return null;
        }

        var min = allowZero ? 0 : 1;
        foreach (var value in new[] { start, end }.Distinct())
        {
            if (value < min || value > 65535)
            {
                diagnostics.Error(DiagnosticCodes.InvalidPort, $"port {value} is out of range 1-65535", node.Location, path, RangeHint);
                return null;
            }
        }

        if (start > end)
        {
            diagnostics.Error(DiagnosticCodes.InvalidPort, $"port range {text} ends before it starts", node.Location, path, RangeHint);
            return null;
        }

        return (start, end);
    }

    private static bool TryPort(string text, out long value)
        => long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
