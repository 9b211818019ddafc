using System.Globalization;
using System.Runtime.CompilerServices;

namespace Berth.Policy.Evaluation;

/// <summary>
/// Builds a violation's message in one pooled buffer: "service 'NAME' ", what the caller interpolates, then
/// " (rule 'RULE' of POLICY)" — one string per violation instead of the caller's text plus the wrapped copy.
/// </summary>
[InterpolatedStringHandler]
internal ref struct ViolationText
{
    private DefaultInterpolatedStringHandler _text;

    public ViolationText(int literalLength, int formattedCount, ServiceCheck check)
    {
        _text = new DefaultInterpolatedStringHandler(literalLength + 96, formattedCount + 4, CultureInfo.InvariantCulture);
        _text.AppendLiteral("service '");
        _text.AppendFormatted(check.Name);
        _text.AppendLiteral("' ");
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted(string? value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public string Finish(string rule, string policyName)
    {
        _text.AppendLiteral(" (rule '");
        _text.AppendFormatted(rule);
        _text.AppendLiteral("' of ");
        _text.AppendFormatted(policyName);
        _text.AppendLiteral(")");
        return _text.ToStringAndClear();
    }
}
