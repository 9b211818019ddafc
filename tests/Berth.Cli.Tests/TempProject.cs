namespace Berth.Cli.Tests;

/// <summary>A throw-away project folder with files written by the test.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject(params (string Name, string Content)[] files)
    {
        Directory = Path.Combine(Path.GetTempPath(), "berth-cli-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(Directory, name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

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
