using System.Globalization;

namespace Berth.Console.Resources;

/// <summary>Sizes as people read them (binary units, one decimal), as docker and kubectl print them.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Describe(long? bytes)
    {
        if (bytes is not { } value || value < 0)
        {
            return "—";
        }

        var size = (double)value;
        var unit = 0;
        while (size >= 1024 && unit < Units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value} B" : string.Create(CultureInfo.InvariantCulture, $"{size:0.#} {Units[unit]}");
    }
}
