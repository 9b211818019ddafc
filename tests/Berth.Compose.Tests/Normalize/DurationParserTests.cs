using Berth.Compose.Transform;

namespace Berth.Compose.Tests.Normalize;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("1m30s", "1m30s")]
    [InlineData("90s", "1m30s")]
    [InlineData("10s", "10s")]
    [InlineData("1h", "1h0m0s")]
    [InlineData("1h5m30s20ms", "1h5m30.02s")]
    [InlineData("500ms", "500ms")]
    [InlineData("1.5ms", "1.5ms")]
    [InlineData("2us", "2µs")]
    [InlineData("2µs", "2µs")]
    [InlineData("2μs", "2µs")]
    [InlineData("300ns", "300ns")]
    [InlineData("1500ns", "1.5µs")]
    [InlineData("1.5s", "1.5s")]
    [InlineData(".5s", "500ms")]
    [InlineData("1.s", "1s")]
    [InlineData("0", "0s")]
    [InlineData("0s", "0s")]
    [InlineData("-1m", "-1m0s")]
    [InlineData("+2s", "2s")]
    [InlineData("1d", "24h0m0s")]
    [InlineData("1w", "168h0m0s")]
    [InlineData("2562047h47m16.854775807s", "2562047h47m16.854775807s")]
    public void TryParse_ValidDuration_PrintsLikeGo(string input, string expected)
    {
        Assert.True(DurationParser.TryParse(input, out var nanoseconds, out var error), error);
        Assert.Equal(expected, DurationParser.Format(nanoseconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("1x")]
    [InlineData("1 s")]
    [InlineData("abc")]
    [InlineData("-")]
    [InlineData("1m-1s")]
    [InlineData("9999999999999h")]
    public void TryParse_Invalid_ReturnsError(string input)
    {
        Assert.False(DurationParser.TryParse(input, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_000_000_000L, "1s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_661_500_000_000L, "1h1m1.5s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void Format_MatchesGoDurationString(long nanoseconds, string expected)
        => Assert.Equal(expected, DurationParser.Format(nanoseconds));
}
