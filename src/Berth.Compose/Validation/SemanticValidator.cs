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
    public static void Validate(MappingNode canonicalDocument, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(canonicalDocument);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var project = new SemanticProject(canonicalDocument);
        SemanticNameChecks.Check(project, diagnostics);
        SemanticReferenceChecks.Check(project, diagnostics);
        SemanticDependencyCycles.Check(project, diagnostics);
        SemanticPortChecks.Check(project, diagnostics);
        SemanticServiceChecks.Check(project, diagnostics);
        SemanticEnumChecks.Check(project, diagnostics);
    }
}
