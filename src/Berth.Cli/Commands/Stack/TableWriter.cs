using System.Text;

namespace Berth.Cli.Commands.Stack;

/// <summary>Left-aligned columns separated by three spaces, as the docker CLI prints them.</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 3));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
