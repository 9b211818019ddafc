using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;

namespace Berth.Cli.Commands.Policy;

/// <summary>How a check ended: <c>passed</c> (no error; warnings allowed), <c>violations</c>, or an input that could not be read.</summary>
internal enum PolicyReportStatus
{
    Passed,
    Violations,
    InvalidPolicy,
    InvalidProject,
}

/// <summary>What <c>berth policy check</c> found: the rule set applied (or what <c>--policy</c> named), its scope and every diagnostic.</summary>
internal sealed record PolicyReport(PolicyReportStatus Status, string Policy, PolicyMode? Mode, PolicyScope Scope, ImmutableArray<Diagnostic> Diagnostics)
{
    public int Errors => Diagnostics.Count(d => d.Severity == Severity.Error);

    public int Warnings => Diagnostics.Count(d => d.Severity == Severity.Warning);
}

/// <summary>
/// <c>berth policy check -o json</c>: one stable document (shape in docs/design/policy.md, "berth policy check"),
/// written field by field so its order never depends on a serializer and Native AOT needs no metadata.
/// </summary>
internal static class PolicyReportJson
{
    public const int Version = 1;

    public static void Write(TextWriter stdout, PolicyReport report)
    {
        // Relaxed escaping: messages quote names ('web'), which the default encoder would write as \u0027.
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("status", Status(report.Status));
            json.WriteBoolean("passed", report.Status == PolicyReportStatus.Passed);
            json.WriteString("policy", report.Policy);
            WriteNullable(json, "mode", report.Mode is null ? null : PolicyCommand.Mode(report.Mode));
            json.WriteStartObject("scope");
            WriteNullable(json, "namespace", report.Scope.Namespace);
            json.WriteString("stack", report.Scope.StackName);
            json.WriteEndObject();
            json.WriteNumber("errors", report.Errors);
            json.WriteNumber("warnings", report.Warnings);
            json.WriteStartArray("diagnostics");
            foreach (var d in report.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                json.WriteString("severity", d.Severity == Severity.Error ? "error" : d.Severity == Severity.Warning ? "warning" : "info");
                json.WriteString("message", d.Message);
                WriteNullable(json, "file", d.Location.IsKnown ? DiagnosticPrinter.RelativePath(d.Location.File) : null);
                WriteNullable(json, "line", d.Location.IsKnown ? d.Location.Line : null);
                WriteNullable(json, "column", d.Location.IsKnown ? d.Location.Column : null);
                WriteNullable(json, "path", d.YamlPath);
                WriteNullable(json, "hint", d.Hint);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Status(PolicyReportStatus status) => status switch
    {
        PolicyReportStatus.Passed => "passed",
        PolicyReportStatus.Violations => "violations",
        PolicyReportStatus.InvalidPolicy => "invalid-policy",
        _ => "invalid-project",
    };

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
