using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Checks what the schema cannot: references to undefined networks/volumes/secrets/configs/services,
/// depends_on cycles, invalid names, port ranges, conflicting keys.
/// </summary>
/// <remarks>Every check runs and reports everything it finds, so users fix all mistakes in one go.</remarks>
public static class SemanticValidator
{
    /// <param name="canonicalDocument">The normalised project.</param>
    /// <param name="diagnostics">Where problems go.</param>
    /// <param name="checkConsistency">
    /// False skips the checks between parts of the project (undefined references, dependency cycles,
    /// conflicting keys), like docker compose's --no-consistency; values are still checked one by one.
    /// </param>
    public static void Validate(MappingNode canonicalDocument, DiagnosticBag diagnostics, bool checkConsistency = true)
    {
        ArgumentNullException.ThrowIfNull(canonicalDocument);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var project = new SemanticProject(canonicalDocument);
        SemanticNameChecks.Check(project, diagnostics);
        SemanticPortChecks.Check(project, diagnostics);
        SemanticEnumChecks.Check(project, diagnostics);
        if (!checkConsistency)
        {
            return;
        }

        SemanticReferenceChecks.Check(project, diagnostics);
        SemanticDependencyCycles.Check(project, diagnostics);
        SemanticServiceChecks.Check(project, diagnostics);
    }
}
