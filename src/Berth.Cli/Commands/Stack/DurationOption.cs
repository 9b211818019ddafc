using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// A duration flag that takes docker's form (<c>20s</c>, <c>1m30s</c>) and, for scripts written against earlier
/// Berth versions, a bare number of seconds.
/// </summary>
internal static partial class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description + " (e.g. 30s, 5m; a bare number is seconds)",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"invalid duration '{text}' for {name}: use e.g. 30s, 2m or 1m30s");
            return defaultValue;
        },
    };

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var match = Parts().Match(text);
        if (!match.Success)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitStart = part.Value.IndexOfAny(['h', 'm', 's']);
            var number = double.Parse(part.Value[..unitStart], CultureInfo.InvariantCulture);
            value += part.Value[unitStart..] switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return true;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(h|ms|m|s))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Parts();
}
