using System.Text;
using System.Text.RegularExpressions;
using Berth.Compose.Loading;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Convert;

/// <summary>
/// Golden tests by folder (testdata/golden/&lt;case&gt;/compose.yaml, deployed as stack "demo"): the plan as JSON
/// (expected.txt: networks, secret/config names and labels — never their data — and service specs) and the
/// diagnostics (expected-diagnostics.txt). BERTH_UPDATE_GOLDEN=1 rewrites them locally (never on CI); review the diff.
/// </summary>
public sealed class GoldenTests
{
    private const string Placeholder = "<case>";

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(TestPaths.GoldenRoot).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Convert_GoldenCase_MatchesExpectedPlanAndDiagnostics(string name)
    {
        var dir = Path.Combine(TestPaths.GoldenRoot, name);
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = "demo" }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var plan = SwarmConverter.Convert(load.Project!, new SwarmConvertOptions { Stack = "demo", Contents = ResourceContentReader.Read(load.Project!) });

        // The spec hash covers absolute bind paths, so it differs per checkout; its stability has its own unit test.
        var actual = Regex.Replace(Render(plan), "\"io\\.berth\\.spec-hash\": \"[0-9a-f]+\"", "\"io.berth.spec-hash\": \"<hash>\"").Replace(dir, Placeholder, StringComparison.Ordinal);
        var diagnostics = string.Join('\n', plan.Diagnostics.Select(d => d.ToString())).Replace(dir, Placeholder, StringComparison.Ordinal) + "\n";
        var expected = Path.Combine(dir, "expected.txt");
        var expectedDiagnostics = Path.Combine(dir, "expected-diagnostics.txt");
        if (Environment.GetEnvironmentVariable("BERTH_UPDATE_GOLDEN") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.WriteAllText(expected, actual);
            File.WriteAllText(expectedDiagnostics, diagnostics);
            return;
        }

        Assert.True(File.Exists(expected), $"{name}: expected.txt missing; actual:\n{actual}");
        Assert.Equal(File.ReadAllText(expected), actual);
        Assert.Equal(File.ReadAllText(expectedDiagnostics), diagnostics);
    }

    internal static string Render(SwarmPlan plan)
    {
        var text = new StringBuilder();
        foreach (var network in plan.Networks)
        {
            text.Append("# network ").Append(network.Name).Append(network.External ? " (external)" : string.Empty).Append('\n');
            if (network.Create is not null)
            {
                text.Append(SwarmJson.Serialize(network.Create)).Append('\n');
            }
        }

        foreach (var secret in plan.Secrets)
        {
            text.Append("# secret ").Append(secret.Name).Append(" labels ").Append(string.Join(",", secret.Spec?.Labels.Select(kv => kv.Key + "=" + kv.Value) ?? [])).Append('\n');
        }

        foreach (var config in plan.Configs)
        {
            text.Append("# config ").Append(config.Name).Append(" labels ").Append(string.Join(",", config.Spec?.Labels.Select(kv => kv.Key + "=" + kv.Value) ?? [])).Append('\n');
        }

        foreach (var service in plan.Services)
        {
            text.Append("# service ").Append(service.Name).Append('\n').Append(SwarmJson.Serialize(service.Spec)).Append('\n');
        }

        return text.ToString();
    }
}
