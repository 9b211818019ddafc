using Microsoft.AspNetCore.DataProtection;

namespace Berth.Console.Stacks;

/// <summary>
/// The outcome of a change, carried to the page the change redirects to (post/redirect/get) in the query string,
/// protected and time-limited by Data Protection: a crafted link cannot make the page show a message it did not produce.
/// </summary>
internal sealed class StackDetailNotice(IDataProtectionProvider protection, TimeProvider clock)
{
    public const string Parameter = "notice";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("berth-console.stack-notice").ToTimeLimitedDataProtector();

    public string Protect(bool ok, string text) => _protector.Protect((ok ? "ok|" : "error|") + text, clock.GetUtcNow().Add(Lifetime));

    /// <summary>The message and whether it reports success, or null for a missing, forged or expired value.</summary>
    public (bool Ok, string Text)? Read(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var text = _protector.Unprotect(value);
            return text.StartsWith("ok|", StringComparison.Ordinal) ? (true, text[3..]) : (false, text[(text.IndexOf('|', StringComparison.Ordinal) + 1)..]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A local URL: <paramref name="path"/> with the protected notice.</summary>
    public string Redirect(string path, bool ok, string text) => $"{path}?{Parameter}={Uri.EscapeDataString(Protect(ok, text))}";
}
