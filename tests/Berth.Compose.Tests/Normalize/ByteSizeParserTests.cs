using Berth.Compose.Transform;

namespace Berth.Compose.Tests.Normalize;

public sealed class ByteSizeParserTests
{
    [Theory]
    [InlineData("512m", 536870912L)]
    [InlineData("1gb", 1073741824L)]
    [InlineData("1GB", 1073741824L)]
    [InlineData("1GiB", 1073741824L)]
    [InlineData("1 g", 1073741824L)]
    [InlineData("2048k", 2097152L)]
    [InlineData("1024kb", 1048576L)]
    [InlineData("300M", 314572800L)]
    [InlineData("2b", 2L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("1t", 1099511627776L)]
    [InlineData("1tb", 1099511627776L)]
    [InlineData("100", 100L)]
    [InlineData("-1", -1L)]
    [InlineData(" 64m ", 67108864L)]
    public void TryParse_Valid_ReturnsBytes(string input, long expected)
    {
        Assert.True(ByteSizeParser.TryParse(input, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("abc")]
    [InlineData("12x")]
    [InlineData("1..5m")]
    [InlineData("1.m")]
    [InlineData("-5m")]
    [InlineData("1  m")]
    [InlineData("99999999999999999999g")]
    public void TryParse_Invalid_ReturnsFalse(string input)
        => Assert.False(ByteSizeParser.TryParse(input, out _));
}
