using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Rewrites a service's durations to Go's spelling and its byte sizes to integer byte counts.</summary>
internal static class NormalizeUnits
{
    private static readonly string[] HealthcheckDurations = ["interval", "timeout", "start_period", "start_interval"];
    private static readonly string[] UpdateDurations = ["delay", "monitor"];
    private static readonly string[] RestartDurations = ["delay", "window"];
    private static readonly string[] ServiceByteSizes = ["shm_size", "mem_limit", "mem_reservation", "memswap_limit"];

    public static MappingNode Apply(MappingNode service, string path, DiagnosticBag diagnostics)
    {
        var result = service;
        result = NormalizeNodes.UpdateMapping(result, "healthcheck", h => Durations(h, HealthcheckDurations, $"{path}.healthcheck", diagnostics));
        result = Durations(result, ["stop_grace_period"], path, diagnostics);
        result = Bytes(result, ServiceByteSizes, path, diagnostics);
        result = NormalizeNodes.UpdateMapping(result, "deploy", d => Deploy(d, $"{path}.deploy", diagnostics));
        result = NormalizeNodes.UpdateMapping(result, "build", b => Bytes(b, ["shm_size"], $"{path}.build", diagnostics));
        result = NormalizeNodes.Update(result, "volumes", v => v is SequenceNode seq
            ? NormalizeNodes.MapItems(seq, (i, item) => item is MappingNode volume
                ? NormalizeNodes.UpdateMapping(volume, "tmpfs", t => Bytes(t, ["size"], $"{path}.volumes[{i}].tmpfs", diagnostics))
                : item)
            : v);
        result = NormalizeNodes.UpdateMapping(result, "blkio_config", b => BlkioRates(b, $"{path}.blkio_config", diagnostics));
        return result;
    }

    private static MappingNode Deploy(MappingNode deploy, string path, DiagnosticBag diagnostics)
    {
        var result = deploy;
        result = NormalizeNodes.UpdateMapping(result, "update_config", u => Durations(u, UpdateDurations, $"{path}.update_config", diagnostics));
        result = NormalizeNodes.UpdateMapping(result, "rollback_config", u => Durations(u, UpdateDurations, $"{path}.rollback_config", diagnostics));
        result = NormalizeNodes.UpdateMapping(result, "restart_policy", r => Durations(r, RestartDurations, $"{path}.restart_policy", diagnostics));
        result = NormalizeNodes.UpdateMapping(result, "resources", r => NormalizeNodes.MapValues(r, (kind, value) => kind is "limits" or "reservations" && value is MappingNode limits
            ? Bytes(limits, ["memory"], $"{path}.resources.{kind}", diagnostics)
            : value));
        return result;
    }

    private static MappingNode BlkioRates(MappingNode blkio, string path, DiagnosticBag diagnostics)
        => NormalizeNodes.MapValues(blkio, (key, value) => key is "device_read_bps" or "device_write_bps" && value is SequenceNode seq
            ? NormalizeNodes.MapItems(seq, (i, item) => item is MappingNode device ? Bytes(device, ["rate"], $"{path}.{key}[{i}]", diagnostics) : item)
            : value);

    private static MappingNode Durations(MappingNode map, string[] keys, string path, DiagnosticBag diagnostics)
    {
        var result = map;
        foreach (var key in keys)
        {
            result = NormalizeNodes.Update(result, key, value => Duration(value, $"{path}.{key}", diagnostics));
        }

        return result;
    }

    private static MappingNode Bytes(MappingNode map, string[] keys, string path, DiagnosticBag diagnostics)
    {
        var result = map;
        foreach (var key in keys)
        {
            result = NormalizeNodes.Update(result, key, value => ByteSize(value, $"{path}.{key}", diagnostics));
        }

        return result;
    }

    private static ComposeNode Duration(ComposeNode value, string path, DiagnosticBag diagnostics)
    {
        if (value is not ScalarNode scalar || scalar.IsNull)
        {
            return value;
        }

        string? error = null;
        if (scalar.Kind is ScalarKind.String or ScalarKind.Int or ScalarKind.Float
            && DurationParser.TryParse(scalar.Value.Trim(), out var nanoseconds, out error))
        {
            var formatted = DurationParser.Format(nanoseconds);
            return scalar.Kind == ScalarKind.String && scalar.Value == formatted ? scalar : ScalarNode.String(formatted, scalar.Location);
        }

        error = scalar.Kind is ScalarKind.Int or ScalarKind.Float ? "a number needs a unit" : error ?? "not a duration";
        diagnostics.Error(
            DiagnosticCodes.InvalidValue,
            $"invalid duration '{scalar.Value}': {error}",
            scalar.Location,
            path,
            "write a duration such as 10s, 1m30s, 500ms or 1h (units: us, ms, s, m, h)");
        return value;
    }

    private static ComposeNode ByteSize(ComposeNode value, string path, DiagnosticBag diagnostics)
    {
        if (value is not ScalarNode scalar || scalar.IsNull || scalar.Kind == ScalarKind.Int)
        {
            return value;
        }

        if (scalar.Kind is ScalarKind.String or ScalarKind.Float && ByteSizeParser.TryParse(scalar.Value, out var bytes))
        {
            return ScalarNode.Int(bytes, scalar.Location);
        }

        diagnostics.Error(
            DiagnosticCodes.InvalidValue,
            $"invalid byte value '{scalar.Value}'",
            scalar.Location,
            path,
            "write a size such as 512m, 1gb, 2048k or a number of bytes (units: b, k, m, g, t, optionally followed by b)");
        return value;
    }
}
