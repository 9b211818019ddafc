using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;

namespace Berth.Kubernetes.Tests.Support;

/// <summary>Loads Compose text from a temporary folder and converts it.</summary>
internal static class Compose
{
    public static ComposeProject Load(string yaml, string name = "app")
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-k8s-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "compose.yaml");
        File.WriteAllText(file, yaml);
        var result = ProjectLoader.Load(new LoadOptions { Files = [file], ProjectName = name }, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Project!;
    }

    public static KubernetesPlan Convert(string yaml, KubernetesConvertOptions? options = null)
    {
        var project = Load(yaml);
        var o = options ?? new KubernetesConvertOptions();
        return KubernetesConverter.Convert(project, o with { FileContents = o.FileContents.IsEmpty ? ResourceContentReader.Read(project) : o.FileContents });
    }
}
