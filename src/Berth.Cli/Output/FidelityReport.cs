using System.Text;
using System.Text.Json;
using Berth.Kubernetes.Convert;

namespace Berth.Cli.Output;

/// <summary>Prints the fidelity report as an aligned table (SERVICE KEY OUTCOME DETAIL LOCATION) or as JSON.</summary>
internal static class FidelityReport
{
    public static string ToTable(IReadOnlyList<FidelityEntry> entries)
    {
        var rows = new List<string[]> { new[] { "SERVICE", "KEY", "OUTCOME", "DETAIL", "LOCATION" } };
        rows.AddRange(entries.Select(e => new[] { e.Service.Length == 0 ? "-" : e.Service, e.Key, e.Outcome.ToString(), e.Detail, Where(e) }));
        var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var builder = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < 4; i++)
            {
                builder.Append(row[i].PadRight(widths[i])).Append("  ");
            }

            builder.Append(row[4]).Append('\n');
        }

        return builder.ToString();
    }

    public static string ToJson(IReadOnlyList<FidelityEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var e in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("service", e.Service);
                writer.WriteString("key", e.Key);
                writer.WriteString("outcome", e.Outcome.ToString());
                writer.WriteString("detail", e.Detail);
                writer.WriteString("file", e.Location.File);
                writer.WriteNumber("line", e.Location.Line);
                writer.WriteNumber("column", e.Location.Column);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Where(FidelityEntry e)
    {
        if (!e.Location.IsKnown)
        {
            return "-";
        }

        var file = e.Location.File;
        if (Path.IsPathRooted(file))
        {
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
            file = relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
        }

        return $"{file}:{e.Location.Line}";
    }
}
