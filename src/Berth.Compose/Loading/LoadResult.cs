using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;

namespace Berth.Compose.Loading;

/// <summary>The loaded project (null when any error was found) and every diagnostic.</summary>
public sealed record LoadResult(ComposeProject? Project, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool Succeeded => Project is not null && !Diagnostics.Any(d => d.Severity == Severity.Error);
}
