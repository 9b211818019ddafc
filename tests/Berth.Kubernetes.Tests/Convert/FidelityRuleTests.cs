using System.Text.Json;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Convert.Fidelity;
using Berth.Kubernetes.Tests.Support;

namespace Berth.Kubernetes.Tests.Convert;

public sealed class FidelityRuleTests
{
    public static TheoryData<string> SchemaServiceKeys()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(TestPaths.ComposeSchema));
        var keys = schema.RootElement.GetProperty("definitions").GetProperty("service").GetProperty("properties").EnumerateObject().Select(p => p.Name);
        var data = new TheoryData<string>();
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            data.Add(key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SchemaServiceKeys))]
    public void ServiceKeyRules_EverySchemaKey_HasAnExplicitRule(string key)
    {
        Assert.True(ServiceKeyRules.All.ContainsKey(key), $"no conversion rule for services.*.{key}: add one to ServiceKeyRules");
        Assert.False(string.IsNullOrWhiteSpace(ServiceKeyRules.All[key].Detail));
    }

    [Fact]
    public void Convert_EveryServiceKey_GetsAFidelityEntryAndNonMappedOnesAWarning()
    {
        var plan = Support.Compose.Convert("""
            services:
              app:
                image: app
                ulimits: {nofile: 10}
                stop_signal: SIGINT
                init: true
                labels: {a: b}
                x-foo: 1
            """);

        var keys = new[] { "image", "ulimits", "stop_signal", "init", "labels", "x-foo", "networks" };
        foreach (var key in keys)
        {
            var entry = Assert.Single(plan.Fidelity, e => e.Service == "app" && e.Key == key);
            if (entry.Outcome != FidelityOutcome.Mapped)
            {
                Assert.Contains(plan.Diagnostics, d => d.Message.Contains($"'{key}'", StringComparison.Ordinal) && d.Location == entry.Location && d.Location.Line > 0);
            }
        }
    }

    [Fact]
    public void Convert_SecretValues_NeverAppearInDiagnosticsOrFidelity()
    {
        var plan = Support.Compose.Convert("""
            services:
              app:
                image: app
                secrets: [{source: s, uid: "1"}]
                environment: {PASSWORD: topsecretvalue}
            secrets:
              s: {environment: NOT_SET_ANYWHERE_42}
            configs:
              c: {content: topsecretvalue}
            """);

        Assert.DoesNotContain(plan.Diagnostics, d => d.ToString().Contains("topsecretvalue", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Fidelity, e => e.Detail.Contains("topsecretvalue", StringComparison.Ordinal));
    }
}
