namespace Berth.Console.Hosting;

/// <summary>
/// The console's data folder holds the cookie-signing keys (Data Protection stores them unencrypted on Linux) and the
/// password hashes: only the console's user may read it.
/// </summary>
internal static class DataFolder
{
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
