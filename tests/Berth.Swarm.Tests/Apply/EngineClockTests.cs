using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary>The engine's clock offset, from /info SystemTime as dockerd writes it (Go RFC3339 with nanoseconds).</summary>
public sealed class EngineClockTests
{
    private static readonly DateTime s_local = new(2026, 12, 6, 14, 12, 40, DateTimeKind.Utc);

    [Theory]
    [InlineData("2026-12-06T14:12:46.571605501Z", 6.5716)]
    [InlineData("2026-12-06T15:12:36.000000001+01:00", -4)]
    [InlineData("2026-12-06T14:12:40Z", 0)]
    public void Offset_IsEngineTimeMinusLocalTime(string systemTime, double seconds)
        => Assert.Equal(seconds, EngineClock.Offset(new SystemInfoResponse { SystemTime = systemTime }, s_local).TotalSeconds, precision: 3);

    [Fact]
    public void Offset_IsZero_WhenTheEngineDoesNotSay()
        => Assert.Equal(TimeSpan.Zero, EngineClock.Offset(new SystemInfoResponse(), s_local));
}
