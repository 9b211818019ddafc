using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Checks what the schema cannot: references to undefined networks/volumes/secrets/configs/services,
/// depends_on cycles, invalid names, port ranges, conflicting keys.
/// </summary>
public static class SemanticValidator
{
    public static void Validate(MappingNode canonicalDocument, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the transform work package.
        _ = canonicalDocument;
        _ = diagnostics;
    }
}
