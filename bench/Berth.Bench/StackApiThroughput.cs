using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
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
        var warmup = TimeSpan.FromSeconds(double.Parse(Arg("--warmup", "15"), CultureInfo.InvariantCulture));
        var duration = TimeSpan.FromSeconds(seconds);

        using var http = CreateClient(server, token, ca, clients);
        using var raw = new EtcdClient(etcd);
        Console.WriteLine($"{clients} concurrent clients, {seconds:0.#} s per operation; server {server}, etcd {etcd}");
        Console.WriteLine($"{"operation",-22} {"ops/s",9} {"p50 ms",8} {"p99 ms",8} {"errors",7}");

        var value = ByteString.CopyFromUtf8(StackJson("raw-0").ToJsonString());
        var rawPut = await MeasureAsync("etcd put (raw)", clients, duration, async (c, n, ct) =>
        {
            await raw.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{n % 200}"), Value = value }, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        var rawGet = await MeasureAsync("etcd get (raw)", clients, duration, async (c, n, ct) =>
        {
            var reply = await raw.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8($"/bench/raw/{c}/{n % 200}") }, cancellationToken: ct).ConfigureAwait(false);
            return reply.Kvs.Count == 1;
        }).ConfigureAwait(false);

        // The server's code is jitted on first use and only optimised (tier 1) after it has been called a while: a
        // server's steady state is measured after a warm-up of every API operation (--warmup seconds, default 15).
        await MeasureAsync(null, clients, warmup, async (c, n, ct) =>
        {
            using var created = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson($"warm{c}-{n}")), ct).ConfigureAwait(false);
            var body = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
            body["metadata"]!["labels"] = new JsonObject { ["warm"] = "1" };
            using var updated = await http.PutAsync($"{Group}/namespaces/{Namespace}/stacks/warm{c}-{n}", Json(body), ct).ConfigureAwait(false);
            using var read = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks/warm{c}-{n}", ct).ConfigureAwait(false);
            using var listed = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=50", ct).ConfigureAwait(false);
            return read.IsSuccessStatusCode;
        }).ConfigureAwait(false);

        var latest = new JsonObject?[clients];
        var create = await MeasureAsync("stack create", clients, duration, async (c, n, ct) =>
        {
            using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson($"c{c}-{n}")), ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                latest[c] = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))!.AsObject();
            }

            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        var get = await MeasureAsync("stack get", clients, duration, async (c, n, ct) =>
        {
            using var response = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks/c{c}-{n % 50}", ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        var update = await MeasureAsync("stack update (PUT)", clients, duration, async (c, n, ct) =>
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
        var list = await MeasureAsync("stack list (500)", clients, duration, async (c, n, ct) =>
        {
            using var response = await http.GetAsync($"{Group}/namespaces/{Namespace}/stacks?limit=500", ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }).ConfigureAwait(false);
        await MeasureWatchAsync(http, clients, duration).ConfigureAwait(false);

        Console.WriteLine();
        Console.WriteLine($"ratio create/etcd put: {create.Rate / rawPut.Rate:0.00}   get/etcd get: {get.Rate / rawGet.Rate:0.00}   update/etcd put: {update.Rate / rawPut.Rate:0.00}   (goal: >= 0.50)");

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

    private static JsonObject StackJson(string name) => new()
    {
        ["apiVersion"] = "compose.docker.com/v1alpha3",
        ["kind"] = "Stack",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
        ["spec"] = new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["image"] = "nginx:1.27",
                ["deploy"] = new JsonObject { ["replicas"] = 2 },
                ["ports"] = new JsonArray(new JsonObject { ["target"] = 80, ["published"] = 8080, ["protocol"] = "tcp" }),
            }),
        },
    };

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private sealed record Figures(double Rate);

    /// <summary>C loops of <paramref name="operation"/> for <paramref name="duration"/>; prints ops/s and latency percentiles (unless a warm-up, without a name).</summary>
    private static async Task<Figures> MeasureAsync(string? name, int clients, TimeSpan duration, Func<int, int, CancellationToken, Task<bool>> operation)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
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
        if (name is not null)
        {
            Console.WriteLine($"{name,-22} {rate,9:0} {Percentile(all, 0.50),8:0.00} {Percentile(all, 0.99),8:0.00} {errors,7}");
        }

        return new Figures(rate);
    }

    /// <summary>One watch open while C clients create stacks: events delivered per second and create-to-event latency.</summary>
    private static async Task MeasureWatchAsync(HttpClient http, int clients, TimeSpan duration)
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
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var name = $"w{c}-{n}";
                sent[name] = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson(name)), CancellationToken.None).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref created);
                }
            }
        }))).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (delays.Count < created && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        await stopWatch.CancelAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        var all = delays.Order().ToArray();
        Console.WriteLine($"{"watch delivery",-22} {all.Length / duration.TotalSeconds,9:0} {Percentile(all, 0.50),8:0.00} {Percentile(all, 0.99),8:0.00} {created - all.Length,7}  (events of {created} creates; latency create sent → event read)");
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
                using var response = await http.PostAsync($"{Group}/namespaces/{Namespace}/stacks", Json(StackJson($"fill-{n}")), CancellationToken.None).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        Console.WriteLine($"filled to {count} stacks ({Math.Max(0, count - have)} created in {watch.Elapsed.TotalSeconds:0.0} s)");
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
