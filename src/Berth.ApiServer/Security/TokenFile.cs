using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Berth.ApiServer.Security;

/// <summary>
/// --token-auth-file, kube-apiserver's static token CSV: <c>token,user,uid,"group1,group2"</c>
/// (AS/pkg/authentication/token/tokenfile/tokenfile.go: at least three columns, the fourth optional).
/// </summary>
internal sealed class TokenFile
{
    private readonly ImmutableDictionary<string, UserInfo> _users;

    private TokenFile(ImmutableDictionary<string, UserInfo> users) => _users = users;

    public int Count => _users.Count;

    public static TokenFile Empty { get; } = new(ImmutableDictionary<string, UserInfo>.Empty);

    public static TokenFile Load(string path) => Parse(File.ReadAllText(path), path);

    public static TokenFile Parse(string text, string source)
    {
        var users = ImmutableDictionary.CreateBuilder<string, UserInfo>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = SplitCsv(line, source, lineNumber);
            if (fields.Count < 3)
            {
                // The token itself is never echoed, only where the bad line is.
                throw new FormatException($"{source}:{lineNumber}: expected token,user,uid[,\"groups\"] (at least 3 columns), found {fields.Count}");
            }

            var token = fields[0].Trim();
            if (token.Length == 0)
            {
                throw new FormatException($"{source}:{lineNumber}: empty token");
            }

            var groups = fields.Count > 3 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray() : [];
            users[token] = new UserInfo(fields[1].Trim(), fields[2].Trim() is { Length: > 0 } uid ? uid : null, groups, ImmutableDictionary<string, ImmutableArray<string>>.Empty);
        }

        return new TokenFile(users.ToImmutable());
    }

    /// <summary>The user of <paramref name="token"/>; compared in constant time so timing does not leak tokens.</summary>
    public UserInfo? Find(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        UserInfo? found = null;
        foreach (var (known, user) in _users)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(known), given))
            {
                found = user;
            }
        }

        return found;
    }

    private static List<string> SplitCsv(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException($"{source}:{lineNumber}: unterminated quote");
        }

        fields.Add(current.ToString());
        return fields;
    }
}
