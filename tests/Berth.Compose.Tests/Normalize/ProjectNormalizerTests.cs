using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Normalize.NormalizeTestHelpers;

namespace Berth.Compose.Tests.Normalize;

public sealed class ProjectNormalizerTests
{
    [Fact]
    public void Normalize_MinimalService_GetsNameDefaultNetworkAndNetworkName()
    {
        var output = NormalizeToYaml("""
            services:
              web:
                image: nginx
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                image: nginx
                networks:
                  default: null
            networks:
              default:
                name: proj_default

            """, output);
    }

    [Fact]
    public void Normalize_NetworkMode_NoDefaultNetwork()
    {
        var output = NormalizeToYaml("""
            name: other
            services:
              web:
                image: nginx
                network_mode: host
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                image: nginx
                network_mode: host

            """, output);
    }

    [Fact]
    public void Normalize_ExplicitNetworks_KeptAndDefaultNotAdded()
    {
        var output = NormalizeToYaml("""
            services:
              web:
                image: nginx
                networks:
                  front: {aliases: [w]}
            networks:
              front: {}
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                image: nginx
                networks:
                  front:
                    aliases:
                    - w
            networks:
              front:
                name: proj_front

            """, output);
    }

    [Fact]
    public void Normalize_DeclaredDefaultNetwork_IsKeptAndNamed()
    {
        var output = NormalizeToYaml("""
            services:
              web: {image: nginx}
            networks:
              default:
                driver: bridge
            """);
        Assert.Contains("""
            networks:
              default:
                driver: bridge
                name: proj_default
            """, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_ResourceNames_ProjectPrefixExplicitAndExternal()
    {
        var output = NormalizeToYaml("""
            services:
              web: {image: nginx, network_mode: none}
            networks:
              ext: {external: true}
              named: {name: custom}
            volumes:
              data: {}
              old: {external: true, name: legacy}
              nullish:
            secrets:
              token: {file: /run/token}
              shared: {external: true}
            configs:
              cfg: {file: /etc/cfg}
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                image: nginx
                network_mode: none
            networks:
              ext:
                external: true
                name: ext
              named:
                name: custom
            volumes:
              data:
                name: proj_data
              nullish:
                name: proj_nullish
              old:
                external: true
                name: legacy
            secrets:
              shared:
                external: true
                name: shared
              token:
                file: /run/token
                name: proj_token
            configs:
              cfg:
                file: /etc/cfg
                name: proj_cfg

            """, output);
    }

    [Fact]
    public void Normalize_Version_RemovedWithWarning()
    {
        var (result, bag) = Run("version: '3.8'\nservices:\n  web: {image: nginx}\n");
        Assert.False(result.ContainsKey("version"));
        var warning = Assert.Single(bag.ToImmutable());
        Assert.Equal((DiagnosticCodes.DeprecatedKey, Severity.Warning, "version", 1), (warning.Code, warning.Severity, warning.YamlPath, warning.Location.Line));
    }

    [Fact]
    public void Normalize_KeyOnlyEnvironment_ResolvedFromProjectEnvironmentOrKeptNull()
    {
        var output = NormalizeToYaml(
            """
            services:
              web:
                image: nginx
                network_mode: host
                environment:
                  SET: null
                  UNSET: null
                  GIVEN: value
                build:
                  context: /src
                  args:
                    ARG_SET: null
                    ARG_UNSET: null
            """,
            Context(new Dictionary<string, string> { ["SET"] = "from-env", ["ARG_SET"] = "arg-env", ["GIVEN"] = "ignored" }));
        Assert.Equal("""
            name: proj
            services:
              web:
                build:
                  args:
                    ARG_SET: arg-env
                    ARG_UNSET: null
                  context: /src
                  dockerfile: Dockerfile
                environment:
                  GIVEN: value
                  SET: from-env
                  UNSET: null
                image: nginx
                network_mode: host

            """, output);
    }

    [Fact]
    public void Normalize_Build_DefaultsContextAndDockerfileUnlessInline()
    {
        var output = NormalizeToYaml("""
            services:
              a:
                network_mode: host
                build: {}
              b:
                network_mode: host
                build:
                  context: /b
                  dockerfile_inline: FROM alpine
            """);
        Assert.Equal("""
            name: proj
            services:
              a:
                build:
                  context: /project
                  dockerfile: Dockerfile
                network_mode: host
              b:
                build:
                  context: /b
                  dockerfile_inline: FROM alpine
                network_mode: host

            """, output);
    }

    [Fact]
    public void Normalize_PullPolicyIfNotPresent_BecomesMissing()
    {
        var (result, _) = Run("services:\n  web: {image: nginx, pull_policy: if_not_present}\n");
        Assert.Equal("missing", At(result, "services", "web", "pull_policy").ToString());
    }

    [Fact]
    public void Normalize_ImplicitDependencies_FromLinksVolumesFromAndServiceNamespaces()
    {
        var output = NormalizeToYaml("""
            services:
              db: {image: postgres}
              cache: {image: redis}
              store: {image: busybox}
              app:
                image: app
                network_mode: service:db
                links: [cache:redis, unknown]
                volumes_from: [store:ro, container:outside]
                depends_on:
                  db:
                    condition: service_healthy
                    required: true
            """);
        Assert.Contains("""
              app:
                depends_on:
                  cache:
                    condition: service_started
                    required: true
                    restart: true
                  db:
                    condition: service_healthy
                    required: true
                  store:
                    condition: service_started
                    required: true
                    restart: true
                image: app
            """, output, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("outside:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_UnknownKeys_ArePreservedAndNodesKeepLocations()
    {
        var (result, _) = Run("""
            x-top: {a: 1}
            services:
              web:
                image: nginx
                x-custom: [1, 2]
                healthcheck:
                  interval: 90s
            """);
        Assert.Equal("1", At(result, "x-top", "a").ToString());
        Assert.IsType<SequenceNode>(At(result, "services", "web", "x-custom"));
        var interval = At(result, "services", "web", "healthcheck", "interval");
        Assert.Equal("1m30s", interval.ToString());
        Assert.Equal(new SourceLocation("compose.yaml", 7, 17), interval.Location);
        var defaultNetwork = At(result, "networks", "default");
        Assert.Equal("compose.yaml", defaultNetwork.Location.File);
    }

    [Fact]
    public void Normalize_EmptyNetworksMapping_GetsDefaultNetwork()
    {
        var (result, _) = Run("services:\n  web:\n    image: nginx\n    networks: {}\n");
        Assert.True(((MappingNode)At(result, "services", "web", "networks")).ContainsKey("default"));
        Assert.Equal("proj_default", At(result, "networks", "default", "name").ToString());
    }
}
