using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Interpolation;

/// <summary>
/// Compose variable interpolation ($VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err},
/// ${VAR:+alt}, ${VAR+alt}, nested, $$) over every scalar value of a tree (keys are not interpolated).
/// </summary>
public static class Interpolator
{
    /// <summary>
    /// Interpolates every scalar value. Plain scalars are re-resolved after substitution (so
    /// <c>replicas: ${N}</c> with N=3 becomes the integer 3); quoted ones stay strings.
    /// Errors (syntax, required variables) are reported with the scalar's location and YAML path.
    /// </summary>
    public static ComposeNode Interpolate(ComposeNode node, Func<string, string?> lookup, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the interpolation work package.
        _ = lookup;
        _ = diagnostics;
        return node;
    }
}
