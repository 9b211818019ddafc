using System.Security.Cryptography;
using System.Text;
using Berth.Compose.Model;
using Berth.Compose.Output;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// The Compose file a revision keeps (its canonical project, as <c>berth config</c> prints it), read through the stack
/// service, with the values of services' environment variables replaced by a fingerprint: as the plan never shows
/// env values, a page never does either, yet a changed value still shows as a changed line.
/// </summary>
internal static class StackDetailRevisions
{
    // Keyed per process: a fingerprint cannot be checked against guessed values outside this console.
    private static readonly byte[] FingerprintKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>Revision <paramref name="revision"/>'s project; a <see cref="StackHistoryException"/> when there is no such revision or it cannot be read.</summary>
    public static async Task<string> ComposeTextAsync(IStackService service, string stack, int revision, CancellationToken cancellationToken)
    {
        var target = await service.PrepareRollbackAsync(stack, revision, cancellationToken).ConfigureAwait(false);
        return ComposeText(target.Request.Project);
    }

    public static string ComposeText(ComposeProject project)
    {
        var output = new StringBuilder();
        var environmentIndent = -1;
        foreach (var line in CanonicalYamlWriter.Write(project.Root).Split('\n'))
        {
            var indent = line.Length - line.TrimStart(' ').Length;
            if (environmentIndent >= 0 && line.Length > 0 && indent > environmentIndent)
            {
                // An entry (KEY: value) of the block; deeper lines are a multi-line value's, left out.
                if (indent == environmentIndent + 2 && line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
                {
                    output.Append(line, 0, colon).Append(": (value hidden, #").Append(Fingerprint(line[(colon + 1)..].Trim())).Append(")\n");
                }

                continue;
            }

            environmentIndent = line.TrimEnd() == new string(' ', indent) + "environment:" ? indent : -1;
            output.Append(line).Append('\n');
        }

        return output.ToString(0, Math.Max(0, output.Length - 1));
    }

    private static string Fingerprint(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(FingerprintKey, Encoding.UTF8.GetBytes(value)))[..8];
}
