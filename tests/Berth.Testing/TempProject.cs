namespace Berth.Testing;

/// <summary>A throw-away project folder with files written by the test; deleted on dispose.</summary>
public sealed class TempProject : IDisposable
{
    public TempProject(params (string Name, string Content)[] files)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("berth-test-").FullName;
        foreach (var (name, content) in files)
        {
            Write(name, content);
        }
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Writes (or overwrites) a file below the folder, creating its folders; returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = PathOf(name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
