using System.CommandLine;
using Berth.Cli.Output;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>--format</c> of <c>stack ls|services|ps</c>, as docker's: table, json, <c>table TEMPLATE</c> or a Go template.
/// (<see cref="StackOptions.Format"/> stays the table|json option of <c>stack diff</c>.)
/// </summary>
internal static class ListingFormat
{
    public static Option<string> Option() => new("--format")
    {
        Description = "Format output: table (default), json (one object per line), 'table TEMPLATE' or a Go template, e.g. '{{.Name}}'",
        DefaultValueFactory = _ => "table",
    };

    /// <summary>The parsed format, or null after a one-line usage error on <paramref name="stderr"/>.</summary>
    public static GoTemplateFormat? Parse(ParseResult parse, Option<string> option, TextWriter stderr, string verb, string defaultTable, IReadOnlyCollection<string> fields)
    {
        var (format, error) = GoTemplateFormat.Parse(parse.GetValue(option), defaultTable, fields);
        if (format is null)
        {
            stderr.WriteLine($"berth stack {verb}: {error}");
            stderr.WriteLine($"hint: fields are referenced as {{{{.Name}}}}; see berth stack {verb} --help");
        }

        return format;
    }
}
