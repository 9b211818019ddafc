using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Cli.Commands.Stack;

/// <summary>A duration flag's value; prints in docker's form (<c>5m0s</c>), which is what help shows as the default.</summary>
internal readonly record struct Duration(TimeSpan Value)
{
    public static implicit operator TimeSpan(Duration duration) => duration.Value;

    /// <summary>Go's <c>time.Duration</c> form: <c>1h2m3s</c>, <c>5m0s</c>, <c>30s</c>, <c>1.5s</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        var total = Value.Duration();
        if (Value < TimeSpan.Zero)
        {
            builder.Append('-');
        }

        if (total.TotalHours >= 1)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{(long)total.TotalHours}h");
        }

        if (total.TotalMinutes >= 1)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{total.Minutes}m");
        }

        var seconds = total.Seconds + (total.Milliseconds / 1000.0);
        builder.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        return builder.ToString();
    }
}

/// <summary>
/// A duration flag that takes docker's form (<c>20s</c>, <c>1m30s</c>), TimeSpan's <c>hh:mm:ss</c> and, for scripts
/// written against earlier Berth versions, a bare number of seconds.
/// </summary>
internal static partial class DurationOption
{
    public static Option<Duration> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description + " (e.g. 30s, 1m30s, 00:05:00; a bare number is seconds)",
        HelpName = "duration",
        DefaultValueFactory = _ => new Duration(defaultValue),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (TryParse(text, out var value))
            {
                return new Duration(value);
            }

            result.AddError($"invalid duration '{text}' for {name}: use e.g. 30s, 2m, 1m30s or 00:02:00");
            return new Duration(defaultValue);
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

        // TimeSpan's own form, which earlier help texts printed as the default (00:05:00).
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
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
