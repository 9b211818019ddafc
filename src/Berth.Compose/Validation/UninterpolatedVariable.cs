using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Recognises "${PORT}"-style references left in values when interpolation is off (<c>--no-interpolate</c>).
/// Such a string stands for a value of any scalar type, so the schema's type, enum and pattern rules
/// cannot judge it; both the precheck and the detailed report let it pass.
/// </summary>
internal static class UninterpolatedVariable
{
    public static bool IsIn(ScalarNode scalar)
    {
        if (scalar.Kind != ScalarKind.String)
        {
            return false;
        }

        var text = scalar.Value;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (text[i] != '$')
            {
                continue;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                // "$$" is an escaped dollar, not a variable.
                i++;
            }
            else if (next is '{' or '_' || char.IsAsciiLetter(next))
            {
                return true;
            }
        }

        return false;
    }
}
