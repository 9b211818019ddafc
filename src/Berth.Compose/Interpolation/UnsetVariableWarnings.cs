using System.Runtime.CompilerServices;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Interpolation;

/// <summary>
/// Reports an unset variable once per load rather than once per use: the loader interpolates each file (and
/// each .env file) separately but shares one <see cref="DiagnosticBag"/>, so the bag is the natural scope.
/// </summary>
internal static class UnsetVariableWarnings
{
    private static readonly ConditionalWeakTable<DiagnosticBag, HashSet<string>> Warned = new();

    public static void Report(DiagnosticBag diagnostics, string name, SourceLocation location, string? path)
    {
        var names = Warned.GetOrCreateValue(diagnostics);
        lock (names)
        {
            if (!names.Add(name))
            {
                return;
            }
        }

        diagnostics.Warning(
            DiagnosticCodes.UnsetVariable,
            $"The \"{name}\" variable is not set. Defaulting to a blank string.",
            location,
            path,
            $"set {name} in the environment or in .env, or give a default with ${{{name}:-default}}");
    }
}
