using Berth.Testing;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;

namespace Berth.Kubernetes.Tests.Golden;

/// <summary>
/// One converter golden folder (testdata/golden/&lt;case&gt;/): compose.yaml, the files it names and an optional
/// options.txt of <c>key=value</c> lines (namespace, stack, service-type, network-policies), loaded and converted the
/// same way for every test that compares something derived from it.
/// </summary>
internal static class GoldenCase
{
    /// <summary>The folder names under <paramref name="root"/>, in ordinal order.</summary>
    public static TheoryData<string> Names(string root) => new(GoldenFiles.CaseNames(root));

    /// <summary>Loads the case in <paramref name="dir"/> (which must load) and converts it with its options.txt.</summary>
    public static (ComposeProject Project, KubernetesConvertOptions Options, KubernetesPlan Plan) Convert(string dir)
    {
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], WorkingDirectory = dir }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var options = Options(dir) with { FileContents = ResourceContentReader.Read(load.Project!) };
        return (load.Project!, options, KubernetesConverter.Convert(load.Project!, options));
    }

    private static KubernetesConvertOptions Options(string dir)
    {
        var options = new KubernetesConvertOptions();
        foreach (var (key, value) in GoldenFiles.ReadOptions(dir))
        {
            options = key switch
            {
                "namespace" => options with { Namespace = value },
                "stack" => options with { StackName = value },
                "service-type" => options with { PublishedServiceType = Enum.Parse<PublishedServiceType>(value) },
                "network-policies" => options with { NetworkPolicies = value == "true" },
                _ => throw new InvalidOperationException($"unknown option '{key}' in {Path.Combine(dir, "options.txt")}"),
            };
        }

        return options;
    }
}
