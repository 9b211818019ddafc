using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using Berth.StackApi;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Berth.Bench;

/// <summary>
/// Throughput and latency of berth-apiserver against the raw etcd it stores in, in one run on one machine: C
/// concurrent clients for S seconds each doing raw etcd puts and gets (through dotnet-etcd, the client the server
/// uses), then the API's create, get, update (PUT), list and watch delivery; the API/raw ratios; then the memory of
/// the server and its list latency with <c>--stacks</c> stored stacks. Started by <c>bench/stackapi/run.sh</c>,
/// which starts etcd and the server on loopback.
/// </summary>
public static class StackApiThroughput
{
    private const string Group = "/apis/compose.docker.com/v1alpha3";
    private const string Namespace = "bench";

    public static async Task RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var server = new Uri(Arg("--server", "https://127.0.0.1:8443"));
        var token = Arg("--token", "bench-token");
        var ca = Arg("--ca", string.Empty);
        var etcd = Arg("--etcd", "http://127.0.0.1:2379");
        var clients = int.Parse(Arg("--clients", "8"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg("--seconds", "5"), CultureInfo.InvariantCulture);
        var stored = int.Parse(Arg("--stacks", "10000"), CultureInfo.InvariantCulture);
        var pid = int.Parse(Arg("--pid", "0"), CultureInfo.InvariantCulture);
        var cpu = new CpuMeter(pid, int.Parse(Arg("--etcd-pid", "0"), CultureInfo.InvariantCulture));
        var warmup = TimeSpan.FromSeconds(double.Parse(Arg("--warmup", "40"), CultureInfo.InvariantCulture));
        var warmupMax = TimeSpan.FromSeconds(double.Parse(Arg("--warmup-max", "180"), CultureInfo.InvariantCulture));
        var duration = TimeSpan.FromSeconds(seconds);

        using var http = CreateClient(server, token, ca, clients);
        using var raw = new EtcdClient(etcd);
        Console.WriteLine($"{clients} concurrent clients, {seconds:0.#} s per operation; server {server}, etcd {etcd}");
        Console.WriteLine("CPU ms per operation, over the whole run of each: the server, etcd, and this client (HTTPS + JSON for the API, gRPC for raw etcd)");
        Console.WriteLine($"{"operation",-22} {"ops/s",9} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"server",8} {"etcd",8} {"client",8}");

        // Raw puts write values of the size the server stores (a realistic stack with its metadata), each different.
        var values = Enumerable.Range(0, 200).Select(i => ByteString.CopyFromUtf8(StoredLike(StackJson($"raw-{i}", i)).ToJsonString())).ToArray();
        async Task<bool> RawPut(int c, int n, CancellationToken ct)
        {
            await raw.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{n % 200}"), Value = values[(c + n) % values.Length] }, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }

        async Task<bool> RawGet(int c, int n, CancellationToken ct)
        {
            var reply = await raw.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{n % 200}") }, cancellationToken: ct).ConfigureAwait(false);
            return reply.Kvs.Count == 1;
        }

        var rawPut = await MeasureAsync("etcd put (raw)", clients, duration, cpu, RawPut).ConfigureAwait(false);
        // Every key the gets read is written first (a slow put phase may not have reached them all).
        for (var c = 0; c < clients; c++)
        {
            for (var k = 0; k < 200; k++)
            {
                await raw.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{k}"), Value = values[(c + k) % values.Length] }).ConfigureAwait(false);
            }
        }

        var rawGet = await MeasureAsync("etcd get (raw)", clients, duration, cpu, RawGet).ConfigureAwait(false);

        // What an update costs etcd at least (etcd3/store.go GuaranteedUpdate without a watch cache): a read, then a
        // transaction guarded by the read's mod revision. Shown for reference; the goal compares with a raw put.
        var rawRmw = await MeasureAsync("etcd get+txn (raw)", clients, duration, cpu, async (c, n, ct) =>
        {
            var key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{n % 200}");
            var read = await raw.GetAsync(new RangeRequest { Key = key }, cancellationToken: ct).ConfigureAwait(false);
            var txn = new TxnRequest
            {
                Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = read.Kvs[0].ModRevision } },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = values[(c + n + 1) % values.Length] } } },
            };
            return (await raw.TransactionAsync(txn, cancellationToken: ct).ConfigureAwait(false)).Succeeded;
        }).ConfigureAwait(false);

        // The server's code is jitted on first use and only optimised (tier 1) after it has been called a while —
        // much longer when other processes keep the cores busy. A server's steady state is measured after a
        // warm-up of every API operation in rounds of 5 s: at least --warmup seconds, then until the server's CPU
        // per round (create, update, get, list) falls by less than 10 % from one round to the next, at most
        // --warmup-max seconds.
        var warmed = Stopwatch.StartNew();
        var perRound = new List<double>();
        for (var round = 0; ; round++)
        {
            var r = round;
            var figures = await MeasureAsync(null, clients, TimeSpan.FromSeconds(5), cpu, async (c, n, ct) =>
            {
                var name = $"warm{r}-{c}-{n}";
                var seed = Seed(c, n, 10 + r);
                using var created = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson(name, seed)), ct).ConfigureAwait(false);
                var body = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
                body["spec"] = StackJson(name, seed, 1)["spec"]!.DeepClone();
                using var updated = await http.PutAsync($"{Group}/namespaces/{Namespace}/stacks/{name}", Json(body), ct).ConfigureAwait(false);
                using var read = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks/{name}", ct).ConfigureAwait(false);
                using var listed = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=50", ct).ConfigureAwait(false);
                return created.IsSuccessStatusCode && updated.IsSuccessStatusCode && read.IsSuccessStatusCode;
            }).ConfigureAwait(false);
            perRound.Add(figures.Ops == 0 ? double.NaN : figures.Used.Server * 1000 / figures.Ops);
            var settled = perRound.Count >= 2 && perRound[^1] > 0.9 * perRound[^2];
            if (warmed.Elapsed >= warmupMax || (warmed.Elapsed >= warmup && settled))
            {
                Console.WriteLine($"warm-up {warmed.Elapsed.TotalSeconds:0} s{(settled ? string.Empty : " (not settled)")}: server CPU ms per create+update+get+list, by 5 s round: {string.Join(" ", perRound.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))}");
                break;
            }
        }

        var latest = new JsonObject?[clients];
        var latestSeed = new int[clients];
        var create = await MeasureAsync("stack create", clients, duration, cpu, async (c, n, ct) =>
        {
            using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson($"c{c}-{n}", Seed(c, n, 2))), ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                latest[c] = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
                latestSeed[c] = Seed(c, n, 2);
            }

            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        var get = await MeasureAsync("stack get", clients, duration, cpu, async (c, n, ct) =>
        {
            using var response = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks/c{c}-{n % 50}", ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        // Every update changes the spec (a new image tag, replicas, environment): the server validates each anew.
        var update = await MeasureAsync("stack update (PUT)", clients, duration, cpu, async (c, n, ct) =>
        {
            var body = latest[c]!.DeepClone().AsObject();
            body["spec"] = StackJson(body["metadata"]!["name"]!.GetValue<string>(), latestSeed[c], n + 1)["spec"]!.DeepClone();
            using var response = await http.PutAsync($"{Group}/namespaces/{Namespace}/stacks/{body["metadata"]!["name"]}", Json(body), ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                latest[c] = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
            }

            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        // Shown beside, not in the ratios: an update of labels only (as kubectl label), whose spec is not validated
        // again (validation ratcheting).
        await MeasureAsync("stack update (labels)", clients, duration, cpu, async (c, n, ct) =>
        {
            var body = latest[c]!.DeepClone().AsObject();
            body["metadata"]!["labels"] = new JsonObject { ["n"] = n.ToString(CultureInfo.InvariantCulture) };
            using var response = await http.PutAsync($"{Group}/namespaces/{Namespace}/stacks/{body["metadata"]!["name"]}", Json(body), ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                latest[c] = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
            }

            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        var list = await MeasureAsync("stack list (500)", clients, duration, cpu, async (c, n, ct) =>
        {
            using var response = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=500", ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        await MeasureWatchAsync(http, clients, duration, cpu).ConfigureAwait(false);

        // etcd measured again after the API: the machine's load drifts (others share it), so each ratio is taken
        // against the mean of the raw figures before and after.
        var rawPutAfter = await MeasureAsync("etcd put (raw, after)", clients, duration, cpu, RawPut).ConfigureAwait(false);
        var rawGetAfter = await MeasureAsync("etcd get (raw, after)", clients, duration, cpu, RawGet).ConfigureAwait(false);
        var putRate = (rawPut.Rate + rawPutAfter.Rate) / 2;
        var getRate = (rawGet.Rate + rawGetAfter.Rate) / 2;

        Console.WriteLine();
        Console.WriteLine($"ratio create/etcd put: {create.Rate / putRate:0.00}   get/etcd get: {get.Rate / getRate:0.00}   update/etcd put: {update.Rate / putRate:0.00}   (goal: >= 0.50)   update/etcd get+txn: {update.Rate / rawRmw.Rate:0.00}");

        await FillAsync(http, clients, stored).ConfigureAwait(false);
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync($"{Group}/stacks", CancellationToken.None).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (i == 0)
            {
                var items = JsonNode.Parse(body)!["items"]!.AsArray().Count;
                Console.WriteLine($"{items} stacks stored: full list {body.Length / 1048576.0:0.0} MiB");
            }
        }

        var paged = Stopwatch.StartNew();
        var pages = 0;
        string? next = null;
        do
        {
            using var response = await http.GetAsync($"{Group}/stacks?limit=500" + (next is null ? string.Empty : "&continue=" + Uri.EscapeDataString(next)), CancellationToken.None).ConfigureAwait(false);
            next = JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false))!["metadata"]?["continue"]?.GetValue<string>();
            pages++;
        }
        while (!string.IsNullOrEmpty(next));

        Console.WriteLine($"list of all stacks: median {times.Order().ElementAt(2):0} ms (5 runs); paged by 500: {pages} pages in {paged.Elapsed.TotalMilliseconds:0} ms");
        if (pid > 0 && File.Exists($"/proc/{pid}/status"))
        {
            var rss = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var hwm = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            Console.WriteLine($"berth-apiserver memory: {rss.Replace("VmRSS:", "RSS", StringComparison.Ordinal).Trim()}, peak {hwm.Replace("VmHWM:", string.Empty, StringComparison.Ordinal).Trim()}");
        }
    }

    private static HttpClient CreateClient(Uri server, string token, string caFile, int clients)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        if (caFile.Length > 0)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            // The server's certificate must chain to the CA the server generated (no system trust store).
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]);
        }

        var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    // Images the generated stacks draw from, so every stack's spec differs as real stacks do (no cache of the
    // server's can answer a write from an earlier one).
    private static readonly string[] Images = ["nginx", "redis", "postgres", "httpd", "memcached", "rabbitmq", "traefik", "grafana/grafana"];

    /// <summary>
    /// A realistic stack, different for every <paramref name="seed"/>: 1-3 services with their own images, tags,
    /// replicas, ports, environment, labels, a health check and a volume. <paramref name="revision"/> changes the
    /// spec again (an update that rolls an image tag and rescales).
    /// </summary>
    internal static JsonObject StackJson(string name, int seed, int revision = 0)
    {
        var services = new JsonArray();
        var count = 1 + (seed % 3);
        for (var i = 0; i < count; i++)
        {
            var image = Images[(seed + i) % Images.Length];
            var service = new JsonObject
            {
                ["name"] = $"{image.Replace('/', '-')}-{i}",
                ["image"] = $"{image}:1.{(seed + revision) % 40}.{i}",
                ["deploy"] = new JsonObject
                {
                    ["replicas"] = 1 + ((seed + revision + i) % 5),
                    ["labels"] = new JsonObject { ["tier"] = i == 0 ? "front" : "back", ["build"] = $"b{seed}-{revision}" },
                    ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["memory"] = (128L + (seed % 8) * 64) * 1048576 } },
                },
                ["environment"] = new JsonObject
                {
                    ["STACK"] = name,
                    ["REVISION"] = revision.ToString(CultureInfo.InvariantCulture),
                    ["LOG_LEVEL"] = (seed % 2) == 0 ? "info" : "debug",
                },
                ["ports"] = new JsonArray(new JsonObject { ["target"] = 8000 + i, ["published"] = 20000 + ((seed * 3 + i) % 40000), ["protocol"] = "tcp" }),
                ["health_check"] = new JsonObject { ["test"] = new JsonArray("CMD", "true"), ["interval"] = 10_000_000_000L + revision, ["retries"] = 3 },
                ["volumes"] = new JsonArray(new JsonObject { ["type"] = "volume", ["source"] = $"data{i}", ["target"] = $"/var/lib/data{i}" }),
            };
            if (i == 0)
            {
                service["command"] = new JsonArray("--port", (8000 + i).ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture));
            }

            services.Add(service);
        }

        return new JsonObject
        {
            ["apiVersion"] = "compose.docker.com/v1alpha3",
            ["kind"] = "Stack",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
            ["spec"] = new JsonObject { ["services"] = services },
        };
    }

    // A distinct seed per client, operation and phase, so no two stacks of a run have the same spec.
    private static int Seed(int client, int n, int phase) => (phase * 1_000_000) + (client * 100_000) + n;

    /// <summary>A stack as the server stores it (metadata it adds included), for raw puts of the same size.</summary>
    private static JsonObject StoredLike(JsonObject stack)
    {
        var metadata = stack["metadata"]!.AsObject();
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = "2026-01-01T00:00:00Z";
        metadata["generation"] = 1;
        metadata["annotations"] = new JsonObject { ["com.docker.stack.owner"] = "{\"username\":\"bench\",\"uid\":\"1001\",\"groups\":[\"system:masters\",\"system:authenticated\"]}" };
        return stack;
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private sealed record Figures(double Rate, int Ops, CpuTimes Used);

    /// <summary>C loops of <paramref name="operation"/> for <paramref name="duration"/>; prints ops/s and latency percentiles (unless a warm-up, without a name).</summary>
    private static async Task<Figures> MeasureAsync(string? name, int clients, TimeSpan duration, CpuMeter cpu, Func<int, int, CancellationToken, Task<bool>> operation)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
        var before = cpu.Sample();
        using var stop = new CancellationTokenSource(duration);
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            latencies[c] = [];
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var watch = Stopwatch.StartNew();
                bool ok;
                try
                {
                    ok = await operation(c, n, CancellationToken.None).ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                latencies[c].Add(watch.Elapsed.TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }))).ConfigureAwait(false);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var rate = all.Length / total.Elapsed.TotalSeconds;
        var used = cpu.Sample() - before;
        if (name is not null)
        {
            Console.WriteLine($"{name,-22} {rate,9:0} {Percentile(all, 0.50),8:0.00} {Percentile(all, 0.99),8:0.00} {errors,7} {used.PerOp(all.Length)}");
        }

        return new Figures(rate, all.Length, used);
    }

    /// <summary>One watch open while C clients create stacks: events delivered per second and create-to-event latency.</summary>
    private static async Task MeasureWatchAsync(HttpClient http, int clients, TimeSpan duration, CpuMeter cpu)
    {
        using var list = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=1", CancellationToken.None).ConfigureAwait(false);
        var rv = JsonNode.Parse(await list.Content.ReadAsStringAsync().ConfigureAwait(false))!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var delays = new System.Collections.Concurrent.ConcurrentBag<double>();
        using var stopWatch = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Group}/namespaces/{Namespace}/stacks?watch=true&resourceVersion={rv}");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stopWatch.Token).ConfigureAwait(false);
            using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(stopWatch.Token).ConfigureAwait(false));
            try
            {
                while (await stream.ReadLineAsync(stopWatch.Token).ConfigureAwait(false) is { } line)
                {
                    var name = JsonNode.Parse(line)?["object"]?["metadata"]?["name"]?.GetValue<string>();
                    if (name is not null && sent.TryGetValue(name, out var at))
                    {
                        delays.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The measurement is over.
            }
        });
        await Task.Delay(200).ConfigureAwait(false);
        var created = 0;
        var before = cpu.Sample();
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var name = $"w{c}-{n}";
                var body = Json(StackJson(name, Seed(c, n, 3)));
                sent[name] = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", body, CancellationToken.None).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref created);
                }
            }
        }))).ConfigureAwait(false);
        var used = cpu.Sample() - before;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (delays.Count < created && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        await stopWatch.CancelAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        var all = delays.Order().ToArray();
        Console.WriteLine($"{"watch delivery",-22} {all.Length / duration.TotalSeconds,9:0} {Percentile(all, 0.50),8:0.00} {Percentile(all, 0.99),8:0.00} {created - all.Length,7} {used.PerOp(created)}  (events of {created} creates; latency create sent → event read; CPU per create)");
    }

    /// <summary>Creates stacks until <paramref name="count"/> are stored in the namespace (counting those the runs made).</summary>
    private static async Task FillAsync(HttpClient http, int clients, int count)
    {
        using var first = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=1", CancellationToken.None).ConfigureAwait(false);
        var node = JsonNode.Parse(await first.Content.ReadAsStringAsync().ConfigureAwait(false))!["metadata"]!;
        var have = 1 + (node["remainingItemCount"]?.GetValue<long>() ?? 0);
        var next = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= count - have)
            {
                using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson($"fill-{n}", Seed(0, n, 4))), CancellationToken.None).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        Console.WriteLine($"filled to {count} stacks ({Math.Max(0, count - have)} created in {watch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>CPU seconds used so far by the server, etcd (from /proc, 0 when their pids are not given) and this process.</summary>
    private sealed record CpuMeter(int ServerPid, int EtcdPid)
    {
        public CpuTimes Sample() => new(ProcSeconds(ServerPid), ProcSeconds(EtcdPid), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

        // utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (USER_HZ: 100 on Linux).
        private static double ProcSeconds(int pid)
        {
            if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
            {
                return 0;
            }

            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
    }

    private sealed record CpuTimes(double Server, double Etcd, double Client)
    {
        public static CpuTimes operator -(CpuTimes a, CpuTimes b) => new(a.Server - b.Server, a.Etcd - b.Etcd, a.Client - b.Client);

        public string PerOp(int ops) => ops == 0 ? string.Empty : FormattableString.Invariant($"{Server * 1000 / ops,8:0.000} {Etcd * 1000 / ops,8:0.000} {Client * 1000 / ops,8:0.000}");
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
