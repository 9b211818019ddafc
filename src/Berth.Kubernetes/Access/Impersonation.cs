using System.Collections.Immutable;

namespace Berth.Kubernetes.Access;

/// <summary>
/// Whom requests are made as (kubectl's <c>--as</c>, <c>--as-uid</c>, <c>--as-group</c>, client-go's
/// rest.ImpersonationConfig.Extra), with the client's own credentials. Sent by <see cref="ImpersonatingHandler"/>.
/// </summary>
public sealed record Impersonation(string User, string? Uid, ImmutableArray<string> Groups, ImmutableDictionary<string, ImmutableArray<string>> Extra)
{
    /// <summary>
    /// The header lines, as client-go's impersonating round tripper writes them (CG/transport/round_trippers.go):
    /// Impersonate-User, Impersonate-Uid, one Impersonate-Group line per group, one Impersonate-Extra-&lt;%-escaped
    /// key&gt; line per value. A value with a line break or other control character could smuggle header lines
    /// (another group, say): such an identity is refused, never sent.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> HeaderLines()
    {
        var headers = new List<(string, string)> { ("Impersonate-User", User) };
        if (!string.IsNullOrEmpty(Uid))
        {
            headers.Add(("Impersonate-Uid", Uid));
        }

        headers.AddRange(Groups.IsDefault ? [] : Groups.Select(g => ("Impersonate-Group", g)));
        foreach (var (key, values) in Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            // round_trippers.go headerKeyEscape: the key %-escaped so any key is a valid header name.
            headers.AddRange(values.Select(v => ("Impersonate-Extra-" + Uri.EscapeDataString(key), v)));
        }

        if (User.Length == 0 || headers.Any(h => h.Item2.Any(c => char.IsControl(c) && c != '\t')))
        {
            throw new HttpRequestException("the requesting user cannot be impersonated: a name, group or extra value holds a control character");
        }

        return headers;
    }
}
