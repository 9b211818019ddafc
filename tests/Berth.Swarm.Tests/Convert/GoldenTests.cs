using System.Text;
using System.Text.RegularExpressions;
using Berth.Compose.Loading;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;
using Berth.Testing;

namespace Berth.Swarm.Tests.Convert;

/// <summary>
/// Golden tests by folder (testdata/golden/&lt;case&gt;/compose.yaml, deployed as stack "demo"): the plan as JSON
/// (expected.txt: networks, secret/config names and labels — never their data — and service specs) and the
/// diagnostics (expected-diagnostics.txt). BERTH_UPDATE_GOLDEN=1 rewrites them locally (refused on CI: <see cref="GoldenFiles"/>); review the diff.
/// </summary>
public sealed class GoldenTests
{
    private const string Placeholder = "<case>";

    public static TheoryData<string> Cases() => new(GoldenFiles.CaseNames(TestPaths.GoldenRoot));

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
        GoldenFiles.Verify(
            name,
            new GoldenFile(Path.Combine(dir, "expected.txt"), actual),
            new GoldenFile(Path.Combine(dir, "expected-diagnostics.txt"), diagnostics));
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
