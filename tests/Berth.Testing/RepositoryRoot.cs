namespace Berth.Testing;

/// <summary>The checkout the tests run from: the folder holding Berth.slnx above the test binaries.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> LazyPath = new(() => Find(AppContext.BaseDirectory));

    public static string Path => LazyPath.Value;

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds Berth.slnx.</summary>
    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Berth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Berth.slnx not found above " + start);
    }
}
