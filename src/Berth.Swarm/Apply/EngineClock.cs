using System.Globalization;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>The engine's clock relative to this machine's: task and update timestamps are the engine's.</summary>
internal static class EngineClock
{
    /// <summary>Slack for the round trip of the info call that measured the offset.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>Engine time minus local time; zero when the engine did not say (then both clocks are taken as one).</summary>
    public static TimeSpan Offset(SystemInfoResponse info, DateTime localUtcNow)
    {
        ArgumentNullException.ThrowIfNull(info);
        return DateTimeOffset.TryParse(info.SystemTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var engine)
            ? engine.UtcDateTime - localUtcNow
            : TimeSpan.Zero;
    }
}
