using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Support;

/// <summary>Loads Compose text from a temporary folder and converts it.</summary>
internal static class Compose
{
    /// <summary>The loaded project; its folder stays, for callers that read the files it names later.</summary>
    public static ComposeProject Load(string yaml, string name = "app") => Load(new TempProject(("compose.yaml", yaml)), name);

    public static KubernetesPlan Convert(string yaml, KubernetesConvertOptions? options = null)
    {
        // Files the project names are read before converting: the folder can go with the plan made.
        using var folder = new TempProject(("compose.yaml", yaml));
        var project = Load(folder, "app");
        var o = options ?? new KubernetesConvertOptions();
        return KubernetesConverter.Convert(project, o with { FileContents = o.FileContents.IsEmpty ? ResourceContentReader.Read(project) : o.FileContents });
    }

    private static ComposeProject Load(TempProject folder, string name)
    {
        var result = ProjectLoader.Load(new LoadOptions { Files = [folder.PathOf("compose.yaml")], ProjectName = name }, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Project!;
    }
}
