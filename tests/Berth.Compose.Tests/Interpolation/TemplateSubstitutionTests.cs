using Berth.Compose.Interpolation;

namespace Berth.Compose.Tests.Interpolation;

public sealed class TemplateSubstitutionTests
{
    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["FOO"] = "foo",
        ["BAR"] = "bar",
        ["EMPTY"] = string.Empty,
        ["N"] = "3",
        ["lower"] = "low",
        ["_UNDER"] = "under",
        ["A1_b2"] = "mixed",
        ["DOLLAR"] = "$HOME",
        ["FOO_BAR"] = "foobar",
    };

    private static string? Lookup(string name) => Environment.TryGetValue(name, out var value) ? value : null;

    public static TheoryData<string, string> Substitutions => new()
    {
        // Plain references.
        { "$FOO", "foo" },
        { "${FOO}", "foo" },
        { "${FOO}bar", "foobar" },
        { "$FOO-bar", "foo-bar" },
        { "$FOO.bar", "foo.bar" },
        { "$FOO/$BAR", "foo/bar" },
        { "$FOO_BAR", "foobar" },
        { "$FOObar", string.Empty },
        { "x${FOO}y${BAR}z", "xfooybarz" },
        { "${lower}", "low" },
        { "$_UNDER", "under" },
        { "${A1_b2}", "mixed" },
        { "no variables here", "no variables here" },
        { string.Empty, string.Empty },

        // Values are not substituted again.
        { "$DOLLAR", "$HOME" },

        // Escapes and lone dollars.
        { "$$", "$" },
        { "a$$b", "a$b" },
        { "$$FOO", "$FOO" },
        { "$${FOO}", "${FOO}" },
        { "$$$FOO", "$foo" },
        { "$$$$", "$$" },
        { "$", "$" },
        { "a$", "a$" },
        { "$1", "$1" },
        { "$-x", "$-x" },
        { "$ x", "$ x" },
        { "price: 5$", "price: 5$" },
        { "}", "}" },

        // Defaults: ':-' when unset or empty, '-' only when unset.
        { "${UNSET:-def}", "def" },
        { "${EMPTY:-def}", "def" },
        { "${FOO:-def}", "foo" },
        { "${UNSET-def}", "def" },
        { "${EMPTY-def}", string.Empty },
        { "${FOO-def}", "foo" },
        { "${UNSET:-}", string.Empty },
        { "${UNSET-}", string.Empty },
        { "${UNSET:-hello world}", "hello world" },
        { "${UNSET:-a:b-c?d+e}", "a:b-c?d+e" },
        { "${UNSET:-{x}}", "{x}" },
        { "${UNSET:-$$}", "$" },
        { "${UNSET:-x}${FOO}", "xfoo" },

        // Alternatives: ':+' when set and non-empty, '+' when set.
        { "${FOO:+alt}", "alt" },
        { "${EMPTY:+alt}", string.Empty },
        { "${UNSET:+alt}", string.Empty },
        { "${FOO+alt}", "alt" },
        { "${EMPTY+alt}", "alt" },
        { "${UNSET+alt}", string.Empty },

        // Required variables that are present.
        { "${FOO:?err}", "foo" },
        { "${FOO?err}", "foo" },
        { "${EMPTY?err}", string.Empty },

        // Nesting.
        { "${UNSET:-${FOO}}", "foo" },
        { "${UNSET:-$FOO}", "foo" },
        { "${UNSET:-${UNSET2:-x}}", "x" },
        { "${UNSET:-${UNSET2:-${UNSET3:-deep}}}", "deep" },
        { "${UNSET:-a${FOO}b}", "afoob" },
        { "${FOO:+[${BAR}]}", "[bar]" },
        { "${UNSET:-${EMPTY:-${N}}}/x", "3/x" },
        { "${UNSET:-$${FOO}}", "${FOO}" },

        // Unused branches are not evaluated (compose-go is lazy too).
        { "${FOO:-${}}", "foo" },
        { "${UNSET:+${}}", string.Empty },
        { "${FOO:?${}}", "foo" },
    };

    [Theory]
    [MemberData(nameof(Substitutions))]
    public void TrySubstitute_ValidTemplate_ProducesExpectedText(string template, string expected)
    {
        Assert.True(Interpolator.TrySubstitute(template, Lookup, out var result, out var error), error);
        Assert.Null(error);
        Assert.Equal(expected, result);
    }

    public static TheoryData<string, string> SyntaxErrors => new()
    {
        { "${", "unterminated" },
        { "${FOO", "unterminated" },
        { "x ${FOO:-abc", "unterminated" },
        { "${}", "variable name" },
        { "${1A}", "variable name" },
        { "${-x}", "variable name" },
        { "${ FOO}", "variable name" },
        { "${FOO:x}", "unsupported" },
        { "${FOO x}", "unsupported" },
        { "${FOO:}", "unsupported" },
        { "${FOO/a/b}", "unsupported" },
        { "${FOO[0]}", "unsupported" },
        { "${UNSET:-${}}", "variable name" },
        { "${UNSET:-${BAD}", "unterminated" },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void TrySubstitute_MalformedTemplate_FailsWithSyntaxError(string template, string fragment)
    {
        Assert.False(Interpolator.TrySubstitute(template, Lookup, unsetVariable: null, out var result, out var error));
        Assert.NotNull(error);
        Assert.Equal(InterpolationErrorKind.Syntax, error.Kind);
        Assert.StartsWith("invalid interpolation format", error.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(template, result);
    }

    public static TheoryData<string, string, string> RequiredErrors => new()
    {
        { "${UNSET:?boom}", "UNSET", "required variable UNSET is missing a value: boom" },
        { "${EMPTY:?must not be empty}", "EMPTY", "required variable EMPTY is missing a value: must not be empty" },
        { "${UNSET?boom}", "UNSET", "required variable UNSET is missing a value: boom" },
        { "${UNSET?}", "UNSET", "required variable UNSET is missing a value" },
        { "${UNSET:?}", "UNSET", "required variable UNSET is missing a value" },
        { "${UNSET?need $FOO and ${BAR}}", "UNSET", "required variable UNSET is missing a value: need foo and bar" },
        { "ok ${UNSET:-${INNER:?inner missing}}", "INNER", "required variable INNER is missing a value: inner missing" },
    };

    [Theory]
    [MemberData(nameof(RequiredErrors))]
    public void TrySubstitute_MissingRequiredVariable_FailsWithMessage(string template, string variable, string message)
    {
        Assert.False(Interpolator.TrySubstitute(template, Lookup, unsetVariable: null, out _, out var error));
        Assert.NotNull(error);
        Assert.Equal(InterpolationErrorKind.RequiredVariable, error.Kind);
        Assert.Equal(variable, error.Variable);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void TrySubstitute_StringOverload_ReturnsMessage()
    {
        Assert.False(Interpolator.TrySubstitute("${X:?set X}", Lookup, out _, out var error));
        Assert.Equal("required variable X is missing a value: set X", error);
    }

    [Fact]
    public void TrySubstitute_EmptyVariableWithDashDefault_DistinguishesUnsetFromEmpty()
    {
        Assert.True(Interpolator.TrySubstitute("[${V-d}][${V:-d}]", _ => string.Empty, out var empty, out _));
        Assert.True(Interpolator.TrySubstitute("[${V-d}][${V:-d}]", _ => null, out var unset, out _));
        Assert.Equal("[][d]", empty);
        Assert.Equal("[d][d]", unset);
    }

    [Fact]
    public void TrySubstitute_UnsetWithoutDefault_ReportsEachUse()
    {
        var unset = new List<string>();
        Assert.True(Interpolator.TrySubstitute("$UNSET ${UNSET} ${OTHER} ${D:-x} ${P+y} ${Q-}", Lookup, unset.Add, out var result, out _));
        Assert.Equal("   x  ", result);
        Assert.Equal(["UNSET", "UNSET", "OTHER"], unset);
    }

    [Fact]
    public void TrySubstitute_NoDollar_ReturnsSameString()
    {
        const string template = "nginx:latest";
        Assert.True(Interpolator.TrySubstitute(template, Lookup, out var result, out _));
        Assert.Same(template, result);
    }

    [Fact]
    public void TrySubstitute_NestingBeyondLimit_FailsInsteadOfOverflowing()
    {
        var depth = 10_000;
        var template = string.Concat(Enumerable.Repeat("${U:-", depth)) + "x" + new string('}', depth);
        Assert.False(Interpolator.TrySubstitute(template, _ => null, unsetVariable: null, out _, out var error));
        Assert.Equal(InterpolationErrorKind.Syntax, error!.Kind);
        Assert.Contains("nested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrySubstitute_NestingWithinLimit_Succeeds()
    {
        var depth = 50;
        var template = string.Concat(Enumerable.Repeat("${U:-", depth)) + "x" + new string('}', depth);
        Assert.True(Interpolator.TrySubstitute(template, _ => null, out var result, out _));
        Assert.Equal("x", result);
    }
}
