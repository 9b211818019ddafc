using Berth.Compose.Diagnostics;

namespace Berth.Compose.Validation;

/// <summary>What kind of schema rule a value broke; decides the diagnostic code.</summary>
internal enum SchemaFailureKind
{
    UnknownKey,
    Required,
    Enum,
    Pattern,
    Type,
    Other,
}

/// <summary>One user-facing schema violation, before it becomes a <see cref="Diagnostic"/>.</summary>
/// <param name="Kind">The rule broken.</param>
/// <param name="Pointer">The JSON pointer of the offending value (or key, for unknown keys).</param>
/// <param name="Segments">The pointer split into segments.</param>
/// <param name="Message">The message, without location.</param>
/// <param name="Hint">How to fix it, when there is something useful to say.</param>
/// <param name="AtKey">True when the diagnostic should point at the mapping key rather than its value.</param>
internal sealed record SchemaFailure(
    SchemaFailureKind Kind,
    string Pointer,
    IReadOnlyList<string> Segments,
    string Message,
    string? Hint = null,
    bool AtKey = false)
{
    public string Code => Kind switch
    {
        SchemaFailureKind.UnknownKey => DiagnosticCodes.SchemaUnknownKey,
        SchemaFailureKind.Required => DiagnosticCodes.SchemaRequired,
        SchemaFailureKind.Enum => DiagnosticCodes.SchemaEnum,
        SchemaFailureKind.Pattern => DiagnosticCodes.SchemaPattern,
        SchemaFailureKind.Type => DiagnosticCodes.SchemaType,
        _ => DiagnosticCodes.SchemaOther,
    };

    /// <summary>True when <paramref name="other"/> is strictly inside the value this failure is about.</summary>
    public bool Contains(SchemaFailure other)
    {
        if (other.Segments.Count <= Segments.Count)
        {
            return false;
        }

        for (var i = 0; i < Segments.Count; i++)
        {
            if (!string.Equals(Segments[i], other.Segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
