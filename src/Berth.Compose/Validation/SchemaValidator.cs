using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Validates one interpolated document against the Compose Specification schema, reporting every violation with its location.</summary>
public static class SchemaValidator
{
    public static void Validate(ComposeNode document, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the validation work package.
        _ = document;
        _ = diagnostics;
    }
}
