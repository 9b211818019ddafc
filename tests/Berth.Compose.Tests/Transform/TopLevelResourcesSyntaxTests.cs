using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class TopLevelResourcesSyntaxTests
{
    [Theory]
    [InlineData("networks")]
    [InlineData("volumes")]
    [InlineData("secrets")]
    [InlineData("configs")]
    public void NullEntry_BecomesEmptyMapping_LegacyExternalName_BecomesName(string section)
    {
        var (document, diagnostics) = Canonicalize($"{section}:\n  some:\n  ext:\n    external:\n      name: my-cool\n  plain:\n    external: true\n");
        Assert.False(diagnostics.HasErrors);
        Assert.Equal(Expect("""
            ext:
              external: true
              name: my-cool
            plain:
              external: true
            some: {}
            """), Print(document[section]!));
        var warning = Assert.Single(diagnostics.ToImmutable());
        Assert.Equal(DiagnosticCodes.DeprecatedKey, warning.Code);
        Assert.Equal($"{section}.ext.external.name", warning.YamlPath);
    }

    [Fact]
    public void ExternalName_AgreeingWithName_IsFine_DisagreeingIsAConflict()
    {
        var (document, diagnostics) = Canonicalize("volumes:\n  a:\n    name: x\n    external: {name: x}\n  b:\n    name: y\n    external: {name: z}\n");
        var error = Assert.Single(diagnostics.ToImmutable(), d => d.Severity == Severity.Error);
        Assert.Equal(DiagnosticCodes.Conflict, error.Code);
        Assert.Equal("volumes.b.external.name", error.YamlPath);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("external: true", Print(((MappingNode)document["volumes"]!)["a"]!), StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsAndDriverOpts_BecomeStringMaps()
    {
        var (document, _) = Canonicalize("networks:\n  net:\n    driver_opts: {baz: 1, foo: bar}\n    labels: [a=b]\n");
        Assert.Equal(Expect("""
            net:
              driver_opts:
                baz: "1"
                foo: bar
              labels:
                a: b
            """), Print(document["networks"]!));
    }

    [Fact]
    public void NullEntry_KeepsItsLocation()
    {
        var (document, _) = Canonicalize("volumes:\n  data:\n");
        Assert.Equal(2, ((MappingNode)document["volumes"]!)["data"]!.Location.Line);
    }
}
