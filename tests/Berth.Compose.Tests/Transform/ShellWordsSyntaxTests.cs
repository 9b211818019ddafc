using Berth.Compose.Transform;

namespace Berth.Compose.Tests.Transform;

public sealed class ShellWordsSyntaxTests
{
    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("  leading\ttabs\nnewlines  ", new[] { "leading", "tabs", "newlines" })]
    [InlineData("'single quoted' x", new[] { "single quoted", "x" })]
    [InlineData("'it''s'", new[] { "its" })]
    [InlineData("\"double quoted\"", new[] { "double quoted" })]
    [InlineData("\"a \\\"b\\\" \\$HOME \\\\ \\n\"", new[] { "a \"b\" $HOME \\ \\n" })]
    [InlineData("'no \\escapes \"here\"'", new[] { "no \\escapes \"here\"" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("\\'x", new[] { "'x" })]
    [InlineData("pre\"mid\"'post'", new[] { "premidpost" })]
    [InlineData("\"\" ''", new[] { "", "" })]
    [InlineData("sh -c \"echo $HOME && ls\"", new[] { "sh", "-c", "echo $HOME && ls" })]
    [InlineData("a && b | c", new[] { "a", "&&", "b", "|", "c" })]
    [InlineData("line\\\ncontinued", new[] { "linecontinued" })]
    [InlineData("trailing\\", new[] { "trailing\\" })]
    [InlineData("", new string[0])]
    public void TrySplit_FollowsPosixQuoting(string line, string[] expected)
    {
        Assert.True(ShellWords.TrySplit(line, out var words, out var error), error);
        Assert.Equal(expected, words.ToArray());
    }

    [Theory]
    [InlineData("echo 'oops", "unterminated single quote at position 6")]
    [InlineData("echo \"oops", "unterminated double quote at position 6")]
    [InlineData("echo \"a\\\"", "unterminated double quote at position 6")]
    public void TrySplit_UnterminatedQuote_Fails(string line, string message)
    {
        Assert.False(ShellWords.TrySplit(line, out _, out var error));
        Assert.Equal(message, error);
    }
}
