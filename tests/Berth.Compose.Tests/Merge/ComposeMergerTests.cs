using System.Collections.Immutable;
using System.Diagnostics;
using Berth.Compose.Diagnostics;
using Berth.Compose.Merge;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Merge.MergeTestSupport;

namespace Berth.Compose.Tests.Merge;

public sealed class ComposeMergerTests(ITestOutputHelper output)
{
    [Fact]
    public void Merge_Mappings_MergeRecursivelyAndScalarsAreReplaced()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                image: a
                user: root
                deploy: {resources: {limits: {cpus: "1", memory: 1g}}}
            """,
            """
            services:
              foo:
                image: b
                tty: true
                deploy: {resources: {limits: {cpus: "2"}}}
              bar:
                image: bar
            """);

        Assert.Equal("b", Text(result, "services/foo/image"));
        Assert.Equal("root", Text(result, "services/foo/user"));
        Assert.Equal("true", Text(result, "services/foo/tty"));
        Assert.Equal("2", Text(result, "services/foo/deploy/resources/limits/cpus"));
        Assert.Equal("1g", Text(result, "services/foo/deploy/resources/limits/memory"));
        Assert.Equal(["foo", "bar"], ((MappingNode)Get(result, "services")!).Keys);
    }

    [Fact]
    public void Merge_OverriddenValues_KeepTheOverlayLocation()
    {
        var result = MergeYaml("services:\n  foo:\n    image: a\n    user: root\n", "services:\n  foo:\n    image: b\n");
        var foo = (MappingNode)Get(result, "services/foo")!;
        Assert.True(foo.TryGetEntry("image", out var image));
        Assert.Equal(new SourceLocation("override.yaml", 3, 12), image.Value.Location);
        Assert.Equal("override.yaml", image.Key.Location.File);
        Assert.Equal("base.yaml", foo["user"]!.Location.File);
    }

    [Fact]
    public void Merge_PlainSequences_AreAppended()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    volumes_from: [a]\n    group_add: [g1]\n",
            "services:\n  foo:\n    volumes_from: [b, a]\n    group_add: [g2]\n");
        Assert.Equal(["a", "b", "a"], Strings(result, "services/foo/volumes_from"));
        Assert.Equal(["g1", "g2"], Strings(result, "services/foo/group_add"));
    }

    [Fact]
    public void Merge_ShellCommands_AreReplacedNotAppended()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                command: [echo, foo]
                entrypoint: [sh, -c]
                healthcheck: {test: [CMD, a], interval: 10s}
              bar:
                command: [run]
            """,
            """
            services:
              foo:
                command: [echo, bar]
                entrypoint: [bash]
                healthcheck: {test: [CMD-SHELL, b]}
              bar:
                command: null
            """);
        Assert.Equal(["echo", "bar"], Strings(result, "services/foo/command"));
        Assert.Equal(["bash"], Strings(result, "services/foo/entrypoint"));
        Assert.Equal(["CMD-SHELL", "b"], Strings(result, "services/foo/healthcheck/test"));
        Assert.Equal("10s", Text(result, "services/foo/healthcheck/interval"));
        Assert.True(Get(result, "services/bar/command") is ScalarNode { IsNull: true });
    }

    [Fact]
    public void Merge_Ports_AreUniqueByHostIpPublishedTargetAndProtocol()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                ports:
                  - {target: 80, published: "8080", protocol: tcp, mode: ingress}
                  - {target: 53, published: "53", protocol: udp, mode: ingress}
                  - {target: 443, published: "443", host_ip: 127.0.0.1, protocol: tcp, mode: ingress}
            """,
            """
            services:
              foo:
                ports:
                  - {target: 80, published: "8080", host_ip: 0.0.0.0, protocol: tcp, mode: host}
                  - {target: 53, published: "53", protocol: tcp, mode: ingress}
                  - {target: 443, published: "443", protocol: tcp, mode: ingress}
            """);
        var ports = Assert.IsType<SequenceNode>(Get(result, "services/foo/ports"));
        Assert.Equal(5, ports.Count);

        // Same key as the base's first port (no host_ip means 0.0.0.0): replaced in place by the overlay's entry.
        Assert.Equal("host", Text(ports, "0/mode"));
        Assert.Equal("override.yaml", ports[0].Location.File);
        Assert.Equal("udp", Text(ports, "1/protocol"));
        Assert.Equal("127.0.0.1", Text(ports, "2/host_ip"));
        Assert.Equal("tcp", Text(ports, "3/protocol"));
        Assert.Null(Get(ports, "4/host_ip"));
    }

    [Fact]
    public void Merge_IdenticalPorts_AreNotDuplicated()
    {
        const string Yaml = "services:\n  foo:\n    ports:\n      - {target: 80, published: \"80\", protocol: tcp, mode: ingress}\n";
        var result = MergeYaml(Yaml, Yaml);
        Assert.Single(Assert.IsType<SequenceNode>(Get(result, "services/foo/ports")).Items);
    }

    [Fact]
    public void Merge_Volumes_AreUniqueByTarget()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                volumes:
                  - {type: volume, source: foo, target: /work, read_only: true}
                  - {type: bind, source: /src, target: /src}
            """,
            """
            services:
              foo:
                volumes:
                  - {type: volume, source: bar, target: /work}
                  - {type: tmpfs, target: /tmp}
            """);
        var volumes = Assert.IsType<SequenceNode>(Get(result, "services/foo/volumes"));
        Assert.Equal(3, volumes.Count);
        Assert.Equal("bar", Text(volumes, "0/source"));
        Assert.Null(Get(volumes, "0/read_only"));
        Assert.Equal("/src", Text(volumes, "1/target"));
        Assert.Equal("/tmp", Text(volumes, "2/target"));
    }

    [Fact]
    public void Merge_SecretsAndConfigs_AreUniqueByTargetOrSource()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                secrets:
                  - {source: a}
                  - {source: b, target: /run/secrets/x}
                configs:
                  - {source: c}
                  - {source: d, target: /etc/d}
            """,
            """
            services:
              foo:
                secrets:
                  - {source: a, mode: 0400}
                  - {source: x}
                configs:
                  - {source: e, target: /c}
                  - {source: d, target: /etc/d2}
            """);
        var secrets = Assert.IsType<SequenceNode>(Get(result, "services/foo/secrets"));

        // {source: x} has the default target /run/secrets/x, the same as b's explicit target.
        Assert.Equal(2, secrets.Count);
        Assert.Equal("256", Text(secrets, "0/mode"));
        Assert.Equal("x", Text(secrets, "1/source"));

        var configs = Assert.IsType<SequenceNode>(Get(result, "services/foo/configs"));

        // A config's default target is /<source>, so {source: e, target: /c} replaces {source: c}.
        Assert.Equal(3, configs.Count);
        Assert.Equal("e", Text(configs, "0/source"));
        Assert.Equal("/etc/d", Text(configs, "1/target"));
        Assert.Equal("/etc/d2", Text(configs, "2/target"));
    }

    [Fact]
    public void Merge_UniqueStringLists_DropDuplicates()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                cap_add: [NET_ADMIN, SYS_TIME]
                cap_drop: [ALL]
                dns: [1.1.1.1]
                dns_search: [example.com]
                dns_opt: [ndots=1, use-vc]
                expose: ["80", "443"]
                security_opt: [label:role:ROLE]
                external_links: [redis]
                links: [db]
                profiles: [dev]
                tmpfs: [/run]
            """,
            """
            services:
              foo:
                cap_add: [SYS_TIME, CHOWN]
                cap_drop: [ALL]
                dns: [8.8.8.8, 1.1.1.1]
                dns_search: [example.com, example.org]
                dns_opt: [ndots=5]
                expose: ["443", "8080"]
                security_opt: [label:user:USER, label:role:ROLE]
                external_links: [redis]
                links: [db, cache]
                profiles: [dev, test]
                tmpfs: [/run, /tmp]
            """);
        Assert.Equal(["NET_ADMIN", "SYS_TIME", "CHOWN"], Strings(result, "services/foo/cap_add"));
        Assert.Equal(["ALL"], Strings(result, "services/foo/cap_drop"));
        Assert.Equal(["1.1.1.1", "8.8.8.8"], Strings(result, "services/foo/dns"));
        Assert.Equal(["example.com", "example.org"], Strings(result, "services/foo/dns_search"));
        Assert.Equal(["ndots=5", "use-vc"], Strings(result, "services/foo/dns_opt"));
        Assert.Equal(["80", "443", "8080"], Strings(result, "services/foo/expose"));
        Assert.Equal(["label:role:ROLE", "label:user:USER"], Strings(result, "services/foo/security_opt"));
        Assert.Equal(["redis"], Strings(result, "services/foo/external_links"));
        Assert.Equal(["db", "cache"], Strings(result, "services/foo/links"));
        Assert.Equal(["dev", "test"], Strings(result, "services/foo/profiles"));
        Assert.Equal(["/run", "/tmp"], Strings(result, "services/foo/tmpfs"));
    }

    [Fact]
    public void Merge_EnvFiles_AreAppendedAndUniqueByPath()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    env_file:\n      - {path: /p/a.env, required: true}\n      - {path: /p/b.env, required: true}\n",
            "services:\n  foo:\n    env_file:\n      - {path: /p/c.env, required: true}\n      - {path: /p/a.env, required: false}\n");
        var files = Assert.IsType<SequenceNode>(Get(result, "services/foo/env_file"));
        Assert.Equal(["/p/a.env", "/p/b.env", "/p/c.env"], files.Items.Select(f => Text(f, "path")));
        Assert.Equal("false", Text(files, "0/required"));
    }

    [Fact]
    public void Merge_EnvironmentAndLabels_MergeByKeyAndANullEntryWins()
    {
        var result = MergeYaml(
            """
            services:
              foo:
                environment: {A: "1", B: "2", C: "3"}
                labels: {x: "1"}
                build: {context: ., args: {V: "1"}}
            """,
            """
            services:
              foo:
                environment: {B: "20", C: null, D: "4"}
                labels: {y: "2"}
                build: {args: {W: "2"}}
            """);
        Assert.Equal("1", Text(result, "services/foo/environment/A"));
        Assert.Equal("20", Text(result, "services/foo/environment/B"));
        Assert.True(Get(result, "services/foo/environment/C") is ScalarNode { IsNull: true });
        Assert.Equal("4", Text(result, "services/foo/environment/D"));
        Assert.Equal(["x", "y"], ((MappingNode)Get(result, "services/foo/labels")!).Keys);
        Assert.Equal(["V", "W"], ((MappingNode)Get(result, "services/foo/build/args")!).Keys);
    }

    [Fact]
    public void Merge_NullOverlay_KeepsTheBaseValue()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    image: a\n    networks:\n      front: {aliases: [web]}\n",
            "services:\n  foo:\n    image:\n    networks:\n      front:\n      back:\n");
        Assert.Equal("a", Text(result, "services/foo/image"));
        Assert.Equal(["web"], Strings(result, "services/foo/networks/front/aliases"));
        Assert.True(Get(result, "services/foo/networks/back") is ScalarNode { IsNull: true });
    }

    [Fact]
    public void Merge_ServiceNetworks_AliasesAreUnique()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    networks:\n      front: {aliases: [web, www]}\n",
            "services:\n  foo:\n    networks:\n      front: {aliases: [www, api], ipv4_address: 10.0.0.2}\n");
        Assert.Equal(["web", "www", "api"], Strings(result, "services/foo/networks/front/aliases"));
        Assert.Equal("10.0.0.2", Text(result, "services/foo/networks/front/ipv4_address"));
    }

    [Fact]
    public void Merge_ExtraHosts_UniteTheAddressesOfAHost()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    extra_hosts:\n      db: [10.0.0.1]\n      cache: [10.0.0.3]\n",
            "services:\n  foo:\n    extra_hosts:\n      db: [10.0.0.1, 10.0.0.2]\n      web: [10.0.0.4]\n");
        Assert.Equal(["10.0.0.1", "10.0.0.2"], Strings(result, "services/foo/extra_hosts/db"));
        Assert.Equal(["10.0.0.3"], Strings(result, "services/foo/extra_hosts/cache"));
        Assert.Equal(["10.0.0.4"], Strings(result, "services/foo/extra_hosts/web"));
    }

    [Fact]
    public void Merge_DependsOn_MergesByServiceName()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    depends_on:\n      db: {condition: service_started, required: true}\n",
            "services:\n  foo:\n    depends_on:\n      db: {condition: service_healthy, required: true, restart: true}\n      cache: {condition: service_started, required: true}\n");
        Assert.Equal("service_healthy", Text(result, "services/foo/depends_on/db/condition"));
        Assert.Equal("true", Text(result, "services/foo/depends_on/db/restart"));
        Assert.Equal(["db", "cache"], ((MappingNode)Get(result, "services/foo/depends_on")!).Keys);
    }

    [Fact]
    public void Merge_Logging_OptionsMergeOnlyForTheSameDriver()
    {
        var result = MergeYaml(
            """
            services:
              same: {logging: {driver: json-file, options: {max-size: 1m, max-file: "3"}}}
              other: {logging: {driver: json-file, options: {max-size: 1m}}}
              nodriver: {logging: {driver: syslog, options: {tag: a}}}
            """,
            """
            services:
              same: {logging: {driver: json-file, options: {max-size: 5m}}}
              other: {logging: {driver: syslog, options: {tag: b}}}
              nodriver: {logging: {options: {syslog-address: "udp://1.2.3.4"}}}
            """);
        Assert.Equal("5m", Text(result, "services/same/logging/options/max-size"));
        Assert.Equal("3", Text(result, "services/same/logging/options/max-file"));
        Assert.Equal(["tag"], ((MappingNode)Get(result, "services/other/logging/options")!).Keys);
        Assert.Equal("syslog", Text(result, "services/nodriver/logging/driver"));
        Assert.Equal(["tag", "syslog-address"], ((MappingNode)Get(result, "services/nodriver/logging/options")!).Keys);
    }

    [Fact]
    public void Merge_Ulimits_EntriesAreReplaced()
    {
        var result = MergeYaml(
            "services:\n  foo:\n    ulimits:\n      nofile: {soft: 1, hard: 2}\n      nproc: {soft: 3, hard: 3}\n",
            "services:\n  foo:\n    ulimits:\n      nofile: {soft: 10, hard: 20}\n");
        Assert.Equal("10", Text(result, "services/foo/ulimits/nofile/soft"));
        Assert.Equal("3", Text(result, "services/foo/ulimits/nproc/hard"));
    }

    [Fact]
    public void Merge_BuildString_IsReadAsContext()
    {
        var result = MergeYaml("services:\n  foo:\n    build: ./app\n", "services:\n  foo:\n    build: {dockerfile: Dockerfile.dev}\n");
        Assert.Equal("./app", Text(result, "services/foo/build/context"));
        Assert.Equal("Dockerfile.dev", Text(result, "services/foo/build/dockerfile"));
    }

    [Fact]
    public void Merge_ExtensionKeys_AreReplacedNotMerged()
    {
        var result = MergeYaml(
            "x-common: {a: 1, b: 2}\nservices:\n  foo:\n    x-meta: {team: a, tier: 1}\n",
            "x-common: {c: 3}\nservices:\n  foo:\n    x-meta: {team: b}\n");
        Assert.Equal(["c"], ((MappingNode)Get(result, "x-common")!).Keys);
        Assert.Equal(["team"], ((MappingNode)Get(result, "services/foo/x-meta")!).Keys);
    }

    [Fact]
    public void Merge_IpamConfig_EntriesWithTheSameSubnetMerge()
    {
        var result = MergeYaml(
            "networks:\n  net:\n    ipam:\n      config:\n        - {subnet: 10.0.0.0/24, gateway: 10.0.0.1}\n",
            "networks:\n  net:\n    ipam:\n      config:\n        - {subnet: 10.0.0.0/24, ip_range: 10.0.0.0/25}\n        - {subnet: 10.1.0.0/24}\n");
        var config = Assert.IsType<SequenceNode>(Get(result, "networks/net/ipam/config"));
        Assert.Equal(2, config.Count);
        Assert.Equal("10.0.0.1", Text(config, "0/gateway"));
        Assert.Equal("10.0.0.0/25", Text(config, "0/ip_range"));
        Assert.Equal("10.1.0.0/24", Text(config, "1/subnet"));
    }

    [Fact]
    public void Merge_TopLevelResources_MergeByName()
    {
        var result = MergeYaml(
            "volumes:\n  data: {driver: local, labels: {a: \"1\"}}\nnetworks:\n  front: {}\nsecrets:\n  s: {file: /a}\n",
            "volumes:\n  data: {labels: {b: \"2\"}}\n  logs: {}\nnetworks:\n  front: {driver: bridge}\nsecrets:\n  s: {file: /b}\n");
        Assert.Equal("local", Text(result, "volumes/data/driver"));
        Assert.Equal(["a", "b"], ((MappingNode)Get(result, "volumes/data/labels")!).Keys);
        Assert.NotNull(Get(result, "volumes/logs"));
        Assert.Equal("bridge", Text(result, "networks/front/driver"));
        Assert.Equal("/b", Text(result, "secrets/s/file"));
    }

    [Fact]
    public void Merge_ResetNull_RemovesTheKey()
    {
        var result = MergeYaml(
            "services:\n  app:\n    image: myapp\n    ports:\n      - {target: 80, published: \"8080\", protocol: tcp, mode: ingress}\n    environment: {FOO: BAR, KEEP: \"1\"}\n    user: root\n",
            "services:\n  app:\n    image: myapp\n    ports: !reset []\n    environment:\n      FOO: !reset null\n    user: !reset null\n");
        var app = (MappingNode)Get(result, "services/app")!;
        Assert.False(app.ContainsKey("ports"));
        Assert.False(app.ContainsKey("user"));
        Assert.Equal(["KEEP"], ((MappingNode)app["environment"]!).Keys);
    }

    [Fact]
    public void Merge_ResetOnAService_RemovesTheService()
    {
        var result = MergeYaml("services:\n  a: {image: a}\n  b: {image: b}\n", "services:\n  b: !reset\n");
        Assert.Equal(["a"], ((MappingNode)Get(result, "services")!).Keys);
    }

    [Fact]
    public void Merge_ResetOfAnAbsentKey_LeavesNothing()
    {
        var result = MergeYaml("services:\n  a: {image: a}\n", "services:\n  a:\n    command: !reset []\n");
        Assert.False(((MappingNode)Get(result, "services/a")!).ContainsKey("command"));
    }

    [Fact]
    public void Merge_Override_ReplacesInsteadOfMerging()
    {
        var result = MergeYaml(
            """
            services:
              app:
                image: myapp
                ports:
                  - {target: 80, published: "8080", protocol: tcp, mode: ingress}
                environment: {A: "1"}
            """,
            """
            services:
              app:
                ports: !override
                  - {target: 443, published: "8443", protocol: tcp, mode: ingress}
                environment: !override {B: "2"}
            """);
        var ports = Assert.IsType<SequenceNode>(Get(result, "services/app/ports"));
        Assert.Equal("443", Text(Assert.Single(ports.Items), "target"));
        Assert.Equal(["B"], ((MappingNode)Get(result, "services/app/environment")!).Keys);
        Assert.Equal("myapp", Text(result, "services/app/image"));
    }

    [Fact]
    public void Merge_TagsInsideNewValues_AreApplied()
    {
        var result = MergeYaml(
            "services:\n  a: {image: a}\n",
            "services:\n  b:\n    image: !override b\n    user: !reset null\n    dns: [!reset x, 1.1.1.1]\n");
        var b = (MappingNode)Get(result, "services/b")!;
        Assert.Equal(["image", "dns"], b.Keys);
        Assert.Equal(["1.1.1.1"], Strings(b, "dns"));
    }

    [Fact]
    public void Merge_TagsLeftInTheBase_AreApplied()
    {
        var result = MergeYaml(
            "services:\n  a:\n    image: !override a\n    user: !reset root\n    labels: !override {x: \"1\"}\n",
            "services:\n  a:\n    labels: {y: \"2\"}\n");
        var a = (MappingNode)Get(result, "services/a")!;
        Assert.Equal(["image", "labels"], a.Keys);
        Assert.Equal(["x", "y"], ((MappingNode)a["labels"]!).Keys);
    }

    [Fact]
    public void Merge_MappingOverSequence_IsAnError()
    {
        var bag = new DiagnosticBag();
        MergeYaml("services:\n  a:\n    develop: {watch: []}\n", "services:\n  a:\n    develop: [x]\n", bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.InvalidOverride, d.Code);
        Assert.Equal("services.a.develop", d.YamlPath);
        Assert.Equal("override.yaml", d.Location.File);
    }

    [Fact]
    public void Merge_ScalarOverSequence_Replaces()
    {
        var bag = new DiagnosticBag();
        var result = MergeYaml("services:\n  a:\n    gpus: [{driver: nvidia}]\n", "services:\n  a:\n    gpus: all\n", bag);
        Assert.False(bag.HasErrors);
        Assert.Equal("all", Text(result, "services/a/gpus"));
    }

    [Fact]
    public void Merge_DoesNotChangeItsInputs()
    {
        var baseDoc = Doc("services:\n  a: {image: a, dns: [x]}\n");
        var overlay = Doc("services:\n  a: {image: b, dns: [y]}\n");
        ComposeMerger.Merge(baseDoc, overlay, new DiagnosticBag());
        Assert.Equal("a", Text(baseDoc, "services/a/image"));
        Assert.Equal(["x"], Strings(baseDoc, "services/a/dns"));
        Assert.Equal(["y"], Strings(overlay, "services/a/dns"));
    }

    [Fact]
    public void ResolveTags_RemovesResetValuesAndTags()
    {
        var doc = Doc("services:\n  a:\n    image: !override a\n    user: !reset root\n    dns: [!reset x, y]\n");
        var result = ComposeMerger.ResolveTags(doc);
        AssertNoTags(result);
        Assert.Equal(["image", "dns"], ((MappingNode)Get(result, "services/a")!).Keys);
        Assert.Equal(["y"], Strings(result, "services/a/dns"));
    }

    [Fact]
    public void ResolveTags_WithoutTags_ReturnsTheSameInstance()
    {
        var doc = Doc("services:\n  a: {image: a, dns: [x]}\n");
        Assert.Same(doc, ComposeMerger.ResolveTags(doc));
    }

    [Fact]
    public void Merge_TwoThousandServicesEach_FinishesQuickly()
    {
        static MappingNode Build(int offset, int portBase, string file, string image)
        {
            var loc = new SourceLocation(file, 1, 1);
            var services = ImmutableArray.CreateBuilder<MappingEntry>(2000);
            for (var i = 0; i < 2000; i++)
            {
                var ports = new SequenceNode(
                    [new MappingNode(
                        [
                            new MappingEntry(ScalarNode.String("target", loc), ScalarNode.Int(80, loc)),
                            new MappingEntry(ScalarNode.String("published", loc), ScalarNode.String($"{portBase + i}", loc)),
                        ],
                        loc)],
                    loc);
                var service = new MappingNode(
                    [
                        new MappingEntry(ScalarNode.String("image", loc), ScalarNode.String(image, loc)),
                        new MappingEntry(ScalarNode.String("environment", loc), new MappingNode([new MappingEntry(ScalarNode.String($"V{i}", loc), ScalarNode.String("x", loc))], loc)),
                        new MappingEntry(ScalarNode.String("ports", loc), ports),
                    ],
                    loc);
                services.Add(new MappingEntry(ScalarNode.String($"svc{i + offset}", loc), service));
            }

            return new MappingNode([new MappingEntry(ScalarNode.String("services", loc), new MappingNode(services.ToImmutable(), loc))], loc);
        }

        // Half of the overlay's services override base services, half are new.
        var baseDoc = Build(0, 10000, "base.yaml", "a");
        var overlay = Build(1000, 20000, "override.yaml", "b");
        var watch = Stopwatch.StartNew();
        var result = ComposeMerger.Merge(baseDoc, overlay, new DiagnosticBag());
        watch.Stop();
        output.WriteLine($"merged 2x2000 services in {watch.Elapsed.TotalMilliseconds:F1} ms");

        var services = (MappingNode)result["services"]!;
        Assert.Equal(3000, services.Count);
        Assert.Equal("a", Text(services, "svc0/image"));
        Assert.Equal("b", Text(services, "svc1500/image"));
        Assert.Equal(2, ((SequenceNode)Get(services, "svc1500/ports")!).Count);
    }
}
