using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>Where the Native AOT <c>berth</c> the native-binary tests run is: BERTH_NATIVE_BINARY, else artifacts/berth/berth.</summary>
internal static class NativeBinary
{
    public static string Path()
    {
        var configured = Environment.GetEnvironmentVariable("BERTH_NATIVE_BINARY");
        var path = configured is { Length: > 0 } ? configured : System.IO.Path.Combine(RepositoryRoot.Path, "artifacts", "berth", "berth");
        Assert.True(File.Exists(path), $"the Native AOT berth is not at {path}: build it with 'scripts/berth.sh --version' (scripts/test.sh does) or set BERTH_NATIVE_BINARY");
        return path;
    }
}
