using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Validation;

/// <summary>The Compose corpus in testdata/ (see <see cref="TestPaths"/>); tests fail, never skip, when it is missing.</summary>
internal static class SharedCorpus
{
    public static string? Root => TestPaths.Corpus;

    public static string RequireRoot() => TestPaths.Corpus;
}
