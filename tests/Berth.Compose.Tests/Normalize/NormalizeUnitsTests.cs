using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Normalize.NormalizeTestHelpers;

namespace Berth.Compose.Tests.Normalize;

public sealed class NormalizeUnitsTests
{
    [Fact]
    public void Normalize_DurationsAndByteSizes_EveryKnownField()
    {
        var output = NormalizeToYaml("""
            services:
              web:
                image: nginx
                network_mode: host
                stop_grace_period: 90s
                shm_size: 64m
                mem_limit: 1gb
                mem_reservation: 512M
                memswap_limit: -1
                healthcheck:
                  interval: 1h
                  timeout: 500ms
                  start_period: 2us
                  start_interval: 1.5s
                build:
                  context: /src
                  shm_size: 2g
                deploy:
                  update_config: {delay: 10s, monitor: 60s}
                  rollback_config: {delay: 0s, monitor: 1m30s}
                  restart_policy: {delay: 5s, window: 120s}
                  resources:
                    limits: {memory: 50M, cpus: '0.5'}
                    reservations: {memory: 20971520}
                volumes:
                  - type: tmpfs
                    target: /tmp
                    tmpfs: {size: 10k}
                blkio_config:
                  device_read_bps:
                    - {path: /dev/sda, rate: 12mb}
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                blkio_config:
                  device_read_bps:
                  - path: /dev/sda
                    rate: 12582912
                build:
                  context: /src
                  dockerfile: Dockerfile
                  shm_size: 2147483648
                deploy:
                  resources:
                    limits:
                      cpus: "0.5"
                      memory: 52428800
                    reservations:
                      memory: 20971520
                  restart_policy:
                    delay: 5s
                    window: 2m0s
                  rollback_config:
                    delay: 0s
                    monitor: 1m30s
                  update_config:
                    delay: 10s
                    monitor: 1m0s
                healthcheck:
                  interval: 1h0m0s
                  start_interval: 1.5s
                  start_period: 2µs
                  timeout: 500ms
                image: nginx
                mem_limit: 1073741824
                mem_reservation: 536870912
                memswap_limit: -1
                network_mode: host
                shm_size: 67108864
                stop_grace_period: 1m30s
                volumes:
                - target: /tmp
                  tmpfs:
                    size: 10240
                  type: tmpfs

            """, output);
    }

    [Theory]
    [InlineData("healthcheck:\n      interval: 10", "services.web.healthcheck.interval")]
    [InlineData("healthcheck:\n      timeout: soon", "services.web.healthcheck.timeout")]
    [InlineData("stop_grace_period: 1x", "services.web.stop_grace_period")]
    [InlineData("deploy:\n      restart_policy:\n        window: 5 s", "services.web.deploy.restart_policy.window")]
    [InlineData("mem_limit: lots", "services.web.mem_limit")]
    [InlineData("shm_size: 1.5q", "services.web.shm_size")]
    [InlineData("deploy:\n      resources:\n        limits:\n          memory: true", "services.web.deploy.resources.limits.memory")]
    public void Normalize_InvalidDurationOrSize_BC405WithLocationPathAndHint(string fragment, string path)
    {
        var (_, bag) = Run($"services:\n  web:\n    image: nginx\n    {fragment}\n");
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Equal(Severity.Error, error.Severity);
        Assert.Equal(path, error.YamlPath);
        Assert.Equal("compose.yaml", error.Location.File);
        Assert.True(error.Location.Line >= 4);
        Assert.False(string.IsNullOrEmpty(error.Hint));
    }

    [Fact]
    public void Normalize_InvalidDuration_ReportsValueLine()
    {
        var (_, bag) = Run("services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: 10\n      timeout: 2x\n");
        var errors = bag.ToImmutable();
        Assert.Equal(2, errors.Length);
        Assert.Equal((5, 17), (errors[0].Location.Line, errors[0].Location.Column));
        Assert.Equal((6, 16), (errors[1].Location.Line, errors[1].Location.Column));
        Assert.Contains("'2x'", errors[1].Message, StringComparison.Ordinal);
    }
}
