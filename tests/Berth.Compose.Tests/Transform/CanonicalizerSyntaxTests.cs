using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

/// <summary>Properties of the canonicaliser as a whole: what it leaves alone, identity of unchanged trees, speed.</summary>
public sealed class CanonicalizerSyntaxTests
{
    [Fact]
    public void UnknownAndExtensionKeys_AreUntouched()
    {
        var (document, diagnostics) = Canonicalize("""
            x-anchors: {ports: ["80"]}
            include: [a.yaml]
            services:
              web:
                x-custom: "a=b"
                future_key: [a=b]
                ports: ["80"]
            """);
        Assert.Empty(diagnostics.ToImmutable());
        Assert.Equal(Expect("""
            - "80"
            """), Print(((MappingNode)document["x-anchors"]!)["ports"]!));
        Assert.Equal(Expect("- a=b"), Print(Web(document)["future_key"]!));
        Assert.Equal(Expect("a=b"), Print(Web(document)["x-custom"]!));
    }

    [Fact]
    public void AlreadyCanonical_ReturnsTheSameDocument()
    {
        var (once, _) = Canonicalize(File.ReadAllText(FullExample()));
        Assert.Same(once, SyntaxCanonicalizer.Canonicalize(once, new DiagnosticBag()));
    }

    [Fact]
    public void UntouchedServices_AreTheSameObjects()
    {
        var diagnostics = new DiagnosticBag();
        var document = (MappingNode)YamlTreeReader.Read("services:\n  a: {image: x}\n  b: {image: y, ports: [\"80\"]}\n", FileName, LoadLimits.Default, diagnostics)[0];
        var result = SyntaxCanonicalizer.Canonicalize(document, diagnostics);
        var before = (MappingNode)document["services"]!;
        var after = (MappingNode)result["services"]!;
        Assert.Same(before["a"], after["a"]);
        Assert.NotSame(before["b"], after["b"]);
    }

    [Theory]
    [InlineData("ports: [\"${PORT}:80\"]")]
    [InlineData("ports: [\"$PORT\"]")]
    [InlineData("extra_hosts: [\"${HOSTS}\"]")]
    [InlineData("volumes: [\"${A}:${B}:${C}:x\"]")]
    public void Uninterpolated_UnparsableValues_AreKeptWithoutError(string serviceYaml)
    {
        var (document, diagnostics) = Canonicalize(WrapService(serviceYaml));
        Assert.Empty(diagnostics.ToImmutable());
        var key = serviceYaml[..serviceYaml.IndexOf(':', StringComparison.Ordinal)];
        Assert.IsType<SequenceNode>(Web(document)[key]);
    }

    /// <summary>compose-go's canonical output for the same file is the oracle for the short forms.</summary>
    [Fact]
    public void FullExample_ShortFormsMatchComposeGo()
    {
        var (document, diagnostics) = Canonicalize(File.ReadAllText(FullExample()));
        Assert.False(diagnostics.HasErrors);
        var foo = (MappingNode)((MappingNode)document["services"]!)["foo"]!;
        Assert.Equal(22, ((SequenceNode)foo["ports"]!).Count);
        Assert.Equal(Expect("""
            - bundle
            - exec
            - thin
            - -p
            - "3000"
            """), Print(foo["command"]!));
        Assert.Equal(Expect("""
            com.example.description: Accounting webapp
            com.example.empty-label: ""
            com.example.number: "42"
            """), Print(foo["labels"]!));
        Assert.Equal(Expect("""
            otherhost:
            - 50.31.209.229
            somehost:
            - 162.242.195.82
            """), Print(foo["extra_hosts"]!));
        Assert.Equal(Expect("""
            - source: config1
            - gid: "103"
              mode: 288
              source: config2
              target: /my_config
              uid: "103"
            """), Print(foo["configs"]!));
        Assert.Equal(Expect("""
            - target: /var/lib/anonymous
              type: volume
            - bind:
                create_host_path: true
              source: /opt/data
              target: /var/lib/data
              type: bind
            - bind:
                create_host_path: true
              source: .
              target: /code
              type: bind
            - bind:
                create_host_path: true
              source: ./static
              target: /var/www/html
              type: bind
            - bind:
                create_host_path: true
              read_only: true
              source: ~/configs
              target: /etc/configs
              type: bind
            - source: datavolume
              target: /var/lib/volume
              type: volume
            - consistency: cached
              source: ./opt
              target: /opt/cached
              type: bind
            - target: /opt/tmpfs
              tmpfs:
                size: 10000
              type: tmpfs
            """), Print(foo["volumes"]!));
    }

    [Fact]
    public void LargeProject_CanonicalisesEveryService()
    {
        var yaml = new StringBuilder("services:\n");
        for (var i = 0; i < 2000; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                  svc{{i}}:
                    image: app:{{i}}
                    command: ./run --port 80 "--name=svc {{i}}"
                    ports: ["{{8000 + (i % 1000)}}:80", "9000-9001:9000-9001/udp"]
                    volumes: ["./data/{{i}}:/data:ro", "cache:/cache"]
                    environment: [A=1, B=2, C]
                    labels: {app: svc, n: {{i}}}
                    depends_on: [db]
                    networks: [front, back]
                    healthcheck: {test: curl -f http://localhost}

                """);
        }

        var diagnostics = new DiagnosticBag();
        var document = (MappingNode)YamlTreeReader.Read(yaml.ToString(), FileName, LoadLimits.Default, diagnostics)[0];
        // Timing lives in bench/ (Berth.Bench quick mode), not in a unit test on a shared machine.
        var result = SyntaxCanonicalizer.Canonicalize(document, diagnostics);

        Assert.False(diagnostics.HasErrors);
        Assert.Equal(2000, ((MappingNode)result["services"]!).Count);
    }

    private static string FullExample()
        => Path.Combine(CorpusSyntaxTests.CorpusRoot()!, "compose-go", "full-example-2026-01", "full-example.yml");
}
