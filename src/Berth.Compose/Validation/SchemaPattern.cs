using System.Text.RegularExpressions;

namespace Berth.Compose.Validation;

/// <summary>
/// A schema <c>pattern</c>/<c>patternProperties</c> regular expression, built on first use: building a
/// <see cref="Regex"/> is a noticeable part of a short command's start, and most of the schema's patterns are never
/// consulted for a given file. The extension prefix <c>^x-</c>, tested against nearly every key, is a prefix test.
/// </summary>
internal sealed class SchemaPattern(string pattern)
{
    private const string ExtensionPrefix = "^x-";

    private readonly Lazy<Regex> _regex = new(
        () => new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    public bool IsMatch(string input) => pattern == ExtensionPrefix
        ? input.StartsWith("x-", StringComparison.Ordinal)
        : _regex.Value.IsMatch(input);
}
