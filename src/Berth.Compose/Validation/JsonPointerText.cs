namespace Berth.Compose.Validation;

/// <summary>Splits RFC 6901 JSON pointers ("/services/web/ports/0") into unescaped segments.</summary>
internal static class JsonPointerText
{
    public static string[] Split(string pointer)
    {
        // Both "" and "#" style fragments mean the root; a leading '/' starts the first segment.
        if (pointer.Length == 0 || pointer == "/")
        {
            return pointer.Length == 0 ? [] : [string.Empty];
        }

        var body = pointer[0] == '/' ? pointer[1..] : pointer;
        var parts = body.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            // Order matters (RFC 6901 §4): "~01" is "~1" literally, not "/".
            parts[i] = parts[i].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return parts;
    }
}
