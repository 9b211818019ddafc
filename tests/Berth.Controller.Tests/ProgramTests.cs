namespace Berth.Controller.Tests;

public sealed class ProgramTests
{
    [Fact]
    public void Executable_IsBuiltBesideTheTests()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "berth-controller.dll");
        Assert.True(File.Exists(path), path);
    }
}
