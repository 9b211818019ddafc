namespace Berth.Compose.Interpolation;

/// <summary>Why a template could not be substituted.</summary>
public enum InterpolationErrorKind
{
    /// <summary>Malformed syntax such as <c>${</c>, <c>${}</c> or <c>${VAR:x}</c>.</summary>
    Syntax,

    /// <summary>A <c>${VAR:?message}</c> or <c>${VAR?message}</c> whose variable is missing.</summary>
    RequiredVariable,
}

/// <summary>A failed substitution: what kind of failure and a message fit for a diagnostic.</summary>
public sealed record InterpolationError(InterpolationErrorKind Kind, string Message, string? Variable = null);
