using Berth.Compose.Transform;

namespace Berth.Swarm.Convert;

/// <summary>The Go duration strings the canonical form holds (<c>1m30s</c>, <c>500ms</c>) as a <see cref="TimeSpan"/>.</summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        // TimeSpan ticks are 100 ns; the engine's unit is 1 ns, so sub-tick precision is lost (never used in practice).
        var parsed = DurationParser.TryParse(text.Trim(), out var nanoseconds, out _);
        value = parsed ? TimeSpan.FromTicks(nanoseconds / 100) : TimeSpan.Zero;
        return parsed;
    }
}
