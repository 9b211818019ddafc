using Berth.Compose.Diagnostics;
using Berth.Compose.Tests.Normalize;
using Berth.Compose.Transform;
using Berth.Compose.Validation;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Validation;

public sealed class SemanticValidatorTests
{
    private static Diagnostic[] Validate(string yaml)
    {
        var bag = new DiagnosticBag();
        SemanticValidator.Validate(NormalizeTestHelpers.Parse(yaml), bag);
        return [.. bag.ToImmutable()];
    }

    private static Diagnostic Single(string yaml, string code)
    {
        var all = Validate(yaml);
        var diagnostic = Assert.Single(all);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal("compose.yaml", diagnostic.Location.File);
        Assert.False(string.IsNullOrEmpty(diagnostic.Hint));
        return diagnostic;
    }

    [Fact]
    public void Validate_ValidProject_NoDiagnostics()
    {
        Assert.Empty(Validate("""
            services:
              db:
                image: postgres
                networks: {back: null}
                volumes:
                  - {type: volume, source: data, target: /var/lib/postgresql}
                  - {type: bind, source: /srv, target: /srv}
                  - {type: volume, target: /anon}
                secrets: [{source: pw}]
              web:
                build: {context: /src}
                depends_on:
                  db: {condition: service_healthy, required: true}
                ports:
                  - {target: 80, published: "8080", protocol: tcp, mode: ingress}
                  - {target: 443, published: "8000-8010", protocol: tcp, mode: ingress}
                  - {target: 53, published: "0", protocol: udp, mode: ingress}
                configs: [{source: cfg, target: /cfg}]
                expose: ["3000", "4000-4005/udp"]
                networks: {back: null, front: {aliases: [w]}}
                deploy: {replicas: 2}
              sidecar:
                image: busybox
                network_mode: service:web
            networks: {back: {}, front: {}}
            volumes: {data: {name: proj_data}}
            secrets: {pw: {file: /pw}}
            configs: {cfg: {file: /cfg}}
            """));
    }

    [Fact]
    public void Validate_UndefinedNetwork_BC401WithDefinedOnesInHint()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    networks:\n      front: null\n      missing: null\nnetworks:\n  front: {}\n", DiagnosticCodes.UndefinedReference);
        Assert.Equal(("services.web.networks.missing", 6, 7), (d.YamlPath, d.Location.Line, d.Location.Column));
        Assert.Contains("'missing'", d.Message, StringComparison.Ordinal);
        Assert.Contains("defined networks: front", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndefinedNetworkWithNoneDefined_HintSaysHowToDeclare()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    networks:\n      front: null\n", DiagnosticCodes.UndefinedReference);
        Assert.Contains("top-level 'networks:'", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndefinedNamedVolume_BC401AtSource()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                volumes:
                  - type: bind
                    source: /host
                    target: /a
                  - type: volume
                    source: data
                    target: /b
            """, DiagnosticCodes.UndefinedReference);
        Assert.Equal(("services.web.volumes[1].source", 9), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_UndefinedSecretConfigAndBuildSecret_AllReported()
    {
        var all = Validate("""
            services:
              web:
                image: nginx
                build:
                  context: /src
                  secrets: [{source: npmrc}]
                secrets:
                  - source: token
                configs:
                  - source: cfg
            secrets:
              other: {file: /x}
            """);
        Assert.Equal(
            [("services.web.build.secrets[0].source", 6), ("services.web.secrets[0].source", 8), ("services.web.configs[0].source", 10)],
            all.Select(d => (d.YamlPath!, d.Location.Line)).ToArray());
        Assert.All(all, d => Assert.Equal(DiagnosticCodes.UndefinedReference, d.Code));
        Assert.Contains("defined secrets: other", all[0].Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DependsOnUnknownService_BC401()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_started\n        required: true\n", DiagnosticCodes.UndefinedReference);
        Assert.Equal(("services.web.depends_on.db", 5), (d.YamlPath, d.Location.Line));
        Assert.Equal(Severity.Error, d.Severity);
    }

    [Fact]
    public void Validate_DependsOnUnknownOptionalService_Warning()
    {
        var d = Assert.Single(Validate("services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_started\n        required: false\n"));
        Assert.Equal((DiagnosticCodes.UndefinedReference, Severity.Warning), (d.Code, d.Severity));
    }

    [Fact]
    public void Validate_DependsOnCycle_BC402ShowsCycle()
    {
        // compose-go's testdata/compose-depends-on-cycle.yaml, with depends_on in long form.
        var d = Single("""
            services:
              service1:
                image: service1
                depends_on:
                  service2: {condition: service_started, required: true}
              service2:
                image: service2
                depends_on:
                  service3: {condition: service_started, required: true}
              service3:
                image: service3
                depends_on:
                  service1: {condition: service_started, required: true}
            """, DiagnosticCodes.DependencyCycle);
        Assert.Contains("service1 -> service2 -> service3 -> service1", d.Message, StringComparison.Ordinal);
        Assert.Equal(("services.service3.depends_on.service1", 13), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_DependsOnSelf_BC402()
    {
        var d = Single("services:\n  service1:\n    image: service1\n    depends_on:\n      service1: {condition: service_started, required: true}\n", DiagnosticCodes.DependencyCycle);
        Assert.Contains("service1 -> service1", d.Message, StringComparison.Ordinal);
        Assert.Equal(("services.service1.depends_on.service1", 5), (d.YamlPath, d.Location.Line));
    }

    [Theory]
    [InlineData("compose-depends-on-cycle.yaml", "service1 -> service2 -> service3 -> service1")]
    [InlineData("compose-depends-on-self.yaml", "service1 -> service1")]
    public void Validate_CorpusCycleFixtures_BC402(string fixture, string cycle)
    {
        // The fixtures use the short list syntax; convert depends_on lists to the canonical mapping here.
        var file = Path.Combine(NormalizeTestHelpers.CorpusDirectory(), "compose-go", "testdata-head", "loader", "testdata", fixture);
        var document = ToLongDependsOn(NormalizeTestHelpers.Parse(File.ReadAllText(file), file));
        var bag = new DiagnosticBag();
        SemanticValidator.Validate(document, bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.DependencyCycle, d.Code);
        Assert.Contains(cycle, d.Message, StringComparison.Ordinal);
        Assert.Equal(file, d.Location.File);
    }

    [Fact]
    public void Validate_CycleThroughImplicitLinkDependency_BC402()
    {
        var bag = new DiagnosticBag();
        var normalized = ProjectNormalizer.Normalize(
            NormalizeTestHelpers.Parse("services:\n  a:\n    image: x\n    links: [b]\n  b:\n    image: x\n    depends_on:\n      a: {condition: service_started, required: true}\n"),
            NormalizeTestHelpers.Context(),
            bag);
        SemanticValidator.Validate(normalized, bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.DependencyCycle, d.Code);
        Assert.Contains("a -> b -> a", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_web", 2)]
    [InlineData("we b", 2)]
    [InlineData("web!", 2)]
    public void Validate_InvalidServiceName_BC403(string name, int line)
    {
        var d = Single($"services:\n  \"{name}\":\n    image: nginx\n", DiagnosticCodes.InvalidName);
        Assert.Equal(($"services.{name}", line), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_InvalidNetworkAndVolumeNames_BC403()
    {
        var all = Validate("""
            services:
              web: {image: nginx, network_mode: host}
            networks:
              "bad net": {}
            volumes:
              "bad/vol": {}
              ok:
                name: "has space"
              ext:
                external: true
                name: "anything goes"
            """);
        Assert.Equal(
            [("networks.bad net", 4), ("volumes.bad/vol", 6), ("volumes.ok.name", 8)],
            all.Select(d => (d.YamlPath!, d.Location.Line)).ToArray());
        Assert.All(all, d => Assert.Equal(DiagnosticCodes.InvalidName, d.Code));
    }

    [Theory]
    [InlineData("{target: 0}", "services.web.ports[0].target", "out of range")]
    [InlineData("{target: 70000}", "services.web.ports[0].target", "out of range")]
    [InlineData("{target: 80, published: \"65536\"}", "services.web.ports[0].published", "out of range")]
    [InlineData("{target: 80, published: \"9000-8000\"}", "services.web.ports[0].published", "ends before it starts")]
    [InlineData("{target: 80, published: \"x\"}", "services.web.ports[0].published", "invalid port")]
    [InlineData("{target: \"8080-8081\", published: \"9000-9002\"}", "services.web.ports[0].published", "different lengths")]
    [InlineData("{target: \"8081-8080\"}", "services.web.ports[0].target", "ends before it starts")]
    public void Validate_InvalidPorts_BC404(string port, string path, string message)
    {
        var d = Single($"services:\n  web:\n    image: nginx\n    ports:\n      - {port}\n", DiagnosticCodes.InvalidPort);
        Assert.Equal((path, 5), (d.YamlPath, d.Location.Line));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidExpose_BC404()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    expose: [\"80\", \"99999\"]\n", DiagnosticCodes.InvalidPort);
        Assert.Equal(("services.web.expose[1]", 4), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_NoImageNoBuild_BC406AtServiceKey()
    {
        var d = Single("services:\n  web:\n    command: [echo]\n", DiagnosticCodes.MissingImage);
        Assert.Equal(("services.web", 2, 3), (d.YamlPath, d.Location.Line, d.Location.Column));
    }

    [Fact]
    public void Validate_NetworkModeWithNetworks_BC408()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    network_mode: host\n    networks:\n      default: null\nnetworks:\n  default: {}\n", DiagnosticCodes.Conflict);
        Assert.Equal(("services.web.networks", 5), (d.YamlPath, d.Location.Line));
    }

    [Theory]
    [InlineData("network_mode: service:nope", "services.web.network_mode")]
    [InlineData("ipc: service:nope", "services.web.ipc")]
    [InlineData("links: [nope]", "services.web.links[0]")]
    [InlineData("volumes_from: [\"nope:ro\"]", "services.web.volumes_from[0]")]
    public void Validate_ServiceReferenceToUnknownService_BC401(string fragment, string path)
    {
        var d = Single($"services:\n  web:\n    image: nginx\n    {fragment}\n", DiagnosticCodes.UndefinedReference);
        Assert.Equal((path, 4), (d.YamlPath, d.Location.Line));
        Assert.Contains("'nope'", d.Message, StringComparison.Ordinal);
        Assert.Contains("defined services: web", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VolumesFromContainer_NotAServiceReference()
        => Assert.Empty(Validate("services:\n  web:\n    image: nginx\n    volumes_from: [\"container:other\"]\n"));

    [Fact]
    public void Validate_NegativeReplicas_BC405()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: -1\n", DiagnosticCodes.InvalidValue);
        Assert.Equal(("services.web.deploy.replicas", 5), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_ScaleAndReplicasDiffer_BC408()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    scale: 2\n    deploy:\n      replicas: 3\n", DiagnosticCodes.Conflict);
        Assert.Equal(("services.web.scale", 4), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_ContainerNameWithReplicas_BC408()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    container_name: web\n    deploy:\n      replicas: 2\n", DiagnosticCodes.Conflict);
        Assert.Equal(("services.web.container_name", 4), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_LeftoverExtends_Error()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    extends:\n      service: base\n", DiagnosticCodes.InvalidValue);
        Assert.Equal(("services.web.extends", 4), (d.YamlPath, d.Location.Line));
    }

    [Fact]
    public void Validate_Version_DeprecatedWarning()
    {
        var d = Single("version: '3'\nservices:\n  web:\n    image: nginx\n", DiagnosticCodes.DeprecatedKey);
        Assert.Equal(Severity.Warning, d.Severity);
    }

    [Fact]
    public void Validate_ManyProblems_AllReported()
    {
        var all = Validate("""
            services:
              a:
                depends_on:
                  b: {condition: service_started, required: true}
                  ghost: {condition: service_started, required: true}
                networks: {nowhere: null}
                ports: [{target: 0}]
              b:
                image: x
                depends_on:
                  a: {condition: service_started, required: true}
            """);
        Assert.Equal(
            [DiagnosticCodes.MissingImage, DiagnosticCodes.UndefinedReference, DiagnosticCodes.UndefinedReference, DiagnosticCodes.InvalidPort, DiagnosticCodes.DependencyCycle],
            all.Select(d => d.Code).ToArray());
        Assert.Equal([2, 5, 6, 7, 11], all.Select(d => d.Location.Line).ToArray());
    }

    private static MappingNode ToLongDependsOn(MappingNode document)
    {
        var services = (MappingNode)document["services"]!;
        var converted = services.WithEntries(services.Entries.Select(entry =>
        {
            var service = (MappingNode)entry.Value;
            if (service["depends_on"] is not SequenceNode list)
            {
                return entry;
            }

            var map = new MappingNode(
                [.. list.Items.Cast<ScalarNode>().Select(item => new MappingEntry(item, new MappingNode(
                    [
                        new MappingEntry(ScalarNode.String("condition", item.Location), ScalarNode.String("service_started", item.Location)),
                        new MappingEntry(ScalarNode.String("required", item.Location), ScalarNode.Bool(true, item.Location)),
                    ],
                    item.Location)))],
                list.Location);
            return new MappingEntry(entry.Key, service.With("depends_on", map));
        }));
        return document.With("services", converted);
    }
}
