using System.Text;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>
/// Mutates the bytes of a real Compose file the way the issue's fuzzing did: bit flips, byte inserts and deletes,
/// lines dropped, repeated or swapped, YAML and Compose tokens inserted, very deep nesting, unicode, NUL, BOM.
/// Deterministic: the same seed gives the same bytes (System.Random with a seed is stable across runs).
/// </summary>
internal static class ComposeMutator
{
    private static readonly string[] Tokens =
    [
        ": {", ": [", "[", "]", "{", "}", ",", ": ", "- ", "-", "? ", "?", "|", "|-", ">", ">-", "#", "&a ", "*a", "&b ", "*b",
        "<<: ", "<<: *a", "<<: [*a, *b]", "!!", "!!str ", "!!int ", "!!bool ", "!!map ", "!!seq ", "!!binary ", "!!null ",
        "!reset ", "!override ", "!custom ", "!<tag:x> ", "${", "${A", "${A}", "${A:-", "${A:-x}", "${A-${B}}", "${A?err}",
        "${A:?}", "${A:+y}", "$$", "$", "}", "\"", "'", "\"\\u", "\"\\x", "\\", "\t", "\r", "\r\n", "\n", "---\n", "...\n",
        "--- ", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\0", "\uFEFF", "\u00e9", "\u2603", "\U0001F600", "\u0085", "\u2028",
        "\u200b", "0x", "0o", "0b1", "1e9999", "-1", "99999999999999999999", "1_000", ".inf", "-.nan", "null", "~", "true",
        "yes", "0", "00", "1.5", "-0", "::", ":", "[::1]:80:80", "8080:80", "65536:1", "1-3:4-6/udp", "80-70:1",
        "C:\\x:D:\\y:rw", "c:/data:/data", "\\\\?\\C:\\a:/b", "./a:/b:ro,z", "a:/b:nocopy", "/a:/b:rw:rw", "~/a:/b",
        "extends: ", "extends: {service: ", "include: ", "include: [", "file: ", "service: ", "depends_on: ",
        "depends_on: {a: {condition: ", "ports: [", "ports: [\"", "volumes: [", "secrets: [", "configs: [", "networks: [",
        "deploy: {replicas: ", "deploy: {mode: global, replicas: ", "healthcheck: {test: ", "cpus: ", "mem_limit: ",
        "memory: ", "environment: [", "env_file: ", "command: ", "entrypoint: [", "x-a: &a {image: x}", "profiles: [",
        "restart: ", "image: ", "build: ", "ulimits: {nofile: ", "sysctls: [", "labels: [", "extra_hosts: [", "devices: [",
        "external: true", "name: ", "driver: ", "target: ", "published: ", "mode: ", "uid: ", "source: ", "type: bind",
        "type: tmpfs", "tmpfs: {size: ", "bind: {propagation: ", "start_period: ", "interval: ", "timeout: ", "1m30s",
        "-5s", "1h2x", "512m", "0.000001", "2g", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    ];

    // Values and keys Compose gives meaning to, so that many cases stay valid YAML and reach the validators and both converters.
    private static readonly string[] Values =
    [
        "1*", "0M!", "-1", "0", "1e3", "99999999999999999999", "1.5", "\"\"", "''", "null", "~", "true", "yes", "[]", "{}", "1m30s",
        "-5s", "1h2x", "512m", "2g", "0.000001", "8080:80", "65536:1", "1-3:4-6/udp", "\"[::1]:80:80/tcp\"", "127.0.0.1::80", "'C:\\x:D:\\y:rw'",
        "./a:/b:ro,z", "data:/d:nocopy", "a:b:c:d", "${A}", "${UNSET:?oops}", "${A:-${B}}", "$$x", "x=y", "host:1.2.3.4", "host=::1",
        "on-failure:3", "unless-stopped", "global", "replicated-job", "global-job", "host", "none", "service:web", "container:x", "web",
        "[web, web]", "{web: {condition: service_healthy}}", "['CMD', 'true']", "CMD-SHELL", "[NONE]", "2.5", "nvidia", "all", "rw",
        "/dev/sda:/dev/xvda:rwm", "net.core.somaxconn=1024", "nofile=1024:2048", "1024", "{soft: 1, hard: 0}", "ReadWriteMany", "10Gi",
        "LoadBalancer", "\"\\u0000\"", "\u00e9", "0o777", "0x1F", "1_000", ".inf", "{target: 80, published: 8080, mode: host}",
        "{type: bind, source: ., target: /x}", "{type: tmpfs, target: /t, tmpfs: {size: -1}}", "{type: volume, target: ''}",
        "{external: true}", "{file: ./missing}", "{environment: A}", "{driver: overlay, attachable: true}", "{replicas: -1}",
        "{mode: global, replicas: 2}", "{limits: {cpus: '0', memory: 1b}}", "{reservations: {devices: [{capabilities: [gpu]}]}}",
        "[{source: s, target: /run/x, uid: '-1', mode: 0777}]", "{constraints: [node.role==manager]}", "{test: [CMD, x], retries: -3}",
    ];

    private static readonly string[] Keys =
    [
        "image", "ports", "volumes", "deploy", "replicas", "mode", "resources", "limits", "reservations", "cpus", "memory", "healthcheck",
        "test", "interval", "restart", "restart_policy", "condition", "depends_on", "networks", "secrets", "configs", "environment",
        "env_file", "labels", "command", "entrypoint", "user", "ulimits", "tmpfs", "devices", "cap_add", "sysctls", "extra_hosts", "dns",
        "logging", "driver", "driver_opts", "external", "name", "target", "source", "published", "protocol", "size", "placement",
        "constraints", "update_config", "rollback_config", "parallelism", "delay", "max_replicas_per_node", "endpoint_mode",
        "stop_grace_period", "read_only", "init", "privileged", "network_mode", "pid", "ipc", "shm_size", "mem_limit", "gpus", "extends",
        "include", "profiles", "scale", "x-kubernetes", "storage_class", "access_mode", "kompose.volume.size", "kompose.service.type",
        "kompose.service.expose", "build", "context", "links", "volumes_from", "expose", "hostname", "working_dir", "stop_signal",
    ];

    private const string YamlBytes = " :-[]{},#&*!|>'\"%@`?$<\t\r\n\\";

    private static readonly byte[] OddBytes = [0x00, 0x7f, 0xff, 0xfe, 0xef, 0xbb, 0xbf];

    /// <summary>Returns a mutated copy of <paramref name="original"/>; <paramref name="donor"/> is another corpus file to splice from.</summary>
    public static byte[] Mutate(byte[] original, byte[] donor, Random rng)
    {
        var data = new List<byte>(original);
        var count = 1 + (rng.Next(4) == 0 ? rng.Next(12) : rng.Next(2));
        for (var i = 0; i < count; i++)
        {
            if (rng.Next(2) == 0)
            {
                MutateValue(data, rng);
            }
            else
            {
                MutateOnce(data, donor, rng);
            }
        }

        return [.. data];
    }

    private static void MutateOnce(List<byte> data, byte[] donor, Random rng)
    {
        var at = data.Count == 0 ? 0 : rng.Next(data.Count + 1);
        switch (rng.Next(16))
        {
            case 0 when data.Count > 0:
                var flip = rng.Next(data.Count);
                data[flip] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when data.Count > 0:
                data[rng.Next(data.Count)] = InterestingByte(rng);
                break;
            case 2:
                data.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(4)).Select(_ => InterestingByte(rng)));
                break;
            case 3 when data.Count > 0:
                var start = rng.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + rng.Next(rng.Next(2) == 0 ? 4 : 64)));
                break;
            case 4:
                EditLines(data, rng, (lines, i) => lines.RemoveAt(i));
                break;
            case 5:
                EditLines(data, rng, (lines, i) => lines.InsertRange(i, Enumerable.Repeat(lines[i], 1 + rng.Next(3))));
                break;
            case 6:
                EditLines(data, rng, (lines, i) =>
                {
                    var j = rng.Next(lines.Count);
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                });
                break;
            case 7:
            case 8:
                data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[rng.Next(Tokens.Length)]));
                break;
            case 9:
                // A token after a line's indentation or at its end, where YAML structure lives.
                EditLines(data, rng, (lines, i) =>
                {
                    var line = lines[i];
                    var indent = line.TakeWhile(b => b == (byte)' ').Count();
                    var token = Encoding.UTF8.GetBytes(Tokens[rng.Next(Tokens.Length)]);
                    lines[i] = rng.Next(2) == 0 ? [.. line[..indent], .. token, .. line[indent..]] : [.. line, .. token];
                });
                break;
            case 10:
                data.InsertRange(at, DeepNesting(rng));
                break;
            case 11:
                // Change a line's indentation.
                EditLines(data, rng, (lines, i) =>
                {
                    var line = lines[i];
                    var indent = line.TakeWhile(b => b == (byte)' ').Count();
                    lines[i] = [.. Enumerable.Repeat((byte)(rng.Next(6) == 0 ? '\t' : ' '), rng.Next(12)), .. line[indent..]];
                });
                break;
            case 12 when data.Count > 0:
                // Copy a chunk elsewhere.
                var from = rng.Next(data.Count);
                var chunk = data.GetRange(from, Math.Min(data.Count - from, 1 + rng.Next(80)));
                data.InsertRange(rng.Next(data.Count + 1), chunk);
                break;
            case 13 when data.Count > 0:
                var cut = rng.Next(data.Count);
                data.RemoveRange(cut, data.Count - cut);
                break;
            case 14 when donor.Length > 0:
                // Splice lines of another corpus file in.
                var donorStart = rng.Next(donor.Length);
                var lineStart = Array.LastIndexOf(donor, (byte)'\n', Math.Max(0, donorStart - 1)) + 1;
                data.InsertRange(LineStart(data, at), donor.Skip(lineStart).Take(1 + rng.Next(400)));
                break;
            default:
                data.InsertRange(at, Encoding.UTF8.GetBytes(rng.Next(3) switch
                {
                    0 => "\u00e9\u2603\U0001F600\u0301",
                    1 => "\0",
                    _ => "\uFEFF",
                }));
                break;
        }
    }

    /// <summary>Replaces the value or the key of a 'key: value' or '- value' line, keeping the YAML valid more often than not.</summary>
    private static void MutateValue(List<byte> data, Random rng)
        => EditLines(data, rng, (lines, i) =>
        {
            var line = Encoding.UTF8.GetString(lines[i]);
            var indent = line.Length - line.TrimStart(' ').Length;
            var body = line[indent..];
            var dash = body.StartsWith("- ", StringComparison.Ordinal) ? "- " : string.Empty;
            body = body[dash.Length..];
            var colon = body.IndexOf(": ", StringComparison.Ordinal);
            var key = colon > 0 ? body[..colon] : body.EndsWith(':') ? body[..^1] : null;
            var value = Values[rng.Next(Values.Length)];
            string replaced;
            if (key is not null && rng.Next(3) == 0)
            {
                replaced = $"{dash}{Keys[rng.Next(Keys.Length)]}{body[key.Length..]}";
            }
            else if (key is not null)
            {
                replaced = $"{dash}{key}: {value}";
            }
            else if (dash.Length > 0)
            {
                replaced = $"- {value}";
            }
            else
            {
                replaced = $"{Keys[rng.Next(Keys.Length)]}: {value}";
            }

            lines[i] = Encoding.UTF8.GetBytes(new string(' ', indent) + replaced);
        });

    private static byte InterestingByte(Random rng) => rng.Next(4) switch
    {
        0 => (byte)rng.Next(256),
        1 => (byte)YamlBytes[rng.Next(YamlBytes.Length)],
        2 => (byte)(rng.Next(2) == 0 ? 0x80 + rng.Next(64) : 0xC0 + rng.Next(64)),
        _ => OddBytes[rng.Next(OddBytes.Length)],
    };

    private static byte[] DeepNesting(Random rng)
    {
        var depth = rng.Next(2) == 0 ? 1 + rng.Next(40) : 100 + rng.Next(2000);
        var open = rng.Next(4) switch
        {
            0 => "[",
            1 => "{a: ",
            2 => "- ",
            _ => "&x [",
        };
        var text = string.Concat(Enumerable.Repeat(open, depth));
        if (rng.Next(2) == 0)
        {
            text += open switch
            {
                "{a: " => "1" + new string('}', depth),
                "- " => "x",
                _ => new string(']', depth),
            };
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static int LineStart(List<byte> data, int at)
    {
        while (at > 0 && data[at - 1] != (byte)'\n')
        {
            at--;
        }

        return at;
    }

    private static void EditLines(List<byte> data, Random rng, Action<List<byte[]>, int> edit)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= data.Count; i++)
        {
            if (i == data.Count || data[i] == (byte)'\n')
            {
                lines.Add([.. data.GetRange(start, i - start)]);
                start = i + 1;
            }
        }

        edit(lines, rng.Next(lines.Count));
        data.Clear();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                data.Add((byte)'\n');
            }

            data.AddRange(lines[i]);
        }
    }
}
