namespace Berth.Testing;

/// <summary>Clean-up of the temporary folders test servers keep their data in.</summary>
public static class TempFolders
{
    /// <summary>Deletes <paramref name="path"/> and what it holds; a folder left behind (still in use, already gone) is harmless.</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort, as said.
        }
    }
}
