using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Reports problems found while rewriting short syntaxes, always with the offending node's location and YAML path.</summary>
internal sealed class SyntaxContext(DiagnosticBag diagnostics)
{
    public void Error(string code, string message, ComposeNode node, string path, string hint)
        => diagnostics.Error(code, message, node.Location, path, hint);

    public void Warning(string code, string message, ComposeNode node, string path, string hint)
        => diagnostics.Warning(code, message, node.Location, path, hint);
}
