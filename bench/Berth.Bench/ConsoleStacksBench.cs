using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Berth.Kubernetes.ApiDouble;

namespace Berth.Bench;

/// <summary>
/// The console's stacks page with many stacks (issue 13's benchmark). berth-console runs as its own process (its RSS
/// is its own) against the Kubernetes API test double (in this process; not a cluster) seeded with N stacks' objects
/// as Berth writes them (two Deployments and a Service per stack, labelled <c>com.docker.stack.namespace</c>, in five
/// namespaces), given through <c>--kubeconfig</c>, so each request runs the console's real path: cookie check against
/// its store, the Kubernetes stack service's LISTs over HTTP, grouping, scope filter, rendering. The console also reads
/// the local Swarm engine, as it always does; its stacks (usually a handful) are listed too.
/// </summary>
public static partial class ConsoleStacksBench
{
    private const string Password = "bench password for the console";
    private static readonly string[] Namespaces = ["team-a", "team-b", "team-c", "team-d", "team-e"];

    /// <summary><c>console --console-dll FILE [--stacks N] [--requests R] [--warmup W]</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var dll = Arg("--console-dll", string.Empty);
        var stacks = int.Parse(Arg("--stacks", "500"), CultureInfo.InvariantCulture);
        var requests = int.Parse(Arg("--requests", "200"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(Arg("--warmup", "30"), CultureInfo.InvariantCulture);
        if (!File.Exists(dll))
        {
            throw new ArgumentException($"--console-dll {dll}: no such file (build src/Berth.Console first)");
        }

        var dir = Directory.CreateTempSubdirectory("berth-console-bench-").FullName;
        await using var api = await KubernetesApiDouble.StartAsync().ConfigureAwait(false);
        Seed(api, stacks);
        var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
        var data = Path.Combine(dir, "data");
        Run(dll, ["users", "add", "bench", "--role", "admin", "--data-dir", data], Password + "\n");

        var port = FreePort();
        using var console = Process.Start(new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}", "--data-dir", data, "--kubeconfig", kubeconfig])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitUntilUpAsync(client, console).ConfigureAwait(false);
            await SignInAsync(client).ConfigureAwait(false);
            var rssStarted = Rss(console.Id);

            var page = await client.GetStringAsync("/stacks").ConfigureAwait(false);
            var listed = Caption().Match(page) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var kubernetesRows = KubernetesRow().Count(page);
            if (kubernetesRows < stacks)
            {
                throw new InvalidOperationException($"the stacks page lists {kubernetesRows} Kubernetes stacks, not {stacks}:\n{page[..Math.Min(page.Length, 2000)]}");
            }

            for (var i = 0; i < warmup; i++)
            {
                await TimeAsync(client).ConfigureAwait(false);
            }

            var rssWarm = Rss(console.Id);
            var times = new List<double>(requests);
            for (var i = 0; i < requests; i++)
            {
                times.Add(await TimeAsync(client).ConfigureAwait(false));
            }

            var rssAfter = Rss(console.Id);
            times.Sort();
            Console.WriteLine($"stacks page: {listed} stacks listed ({kubernetesRows} Kubernetes from the API test double, {listed - kubernetesRows} Swarm from the local engine), {page.Length / 1024} KiB of HTML");
            Console.WriteLine($"GET /stacks signed in, {requests} sequential requests after {warmup} warm-up: median {Percentile(times, 0.5):F1} ms, p95 {Percentile(times, 0.95):F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms");
            Console.WriteLine($"berth-console RSS: {rssStarted.Rss / 1024.0:F1} MiB after sign-in, {rssWarm.Rss / 1024.0:F1} MiB after warm-up, {rssAfter.Rss / 1024.0:F1} MiB after the requests (peak {rssAfter.Peak / 1024.0:F1} MiB)");
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}")}");
        }
        finally
        {
            console.Kill(entireProcessTree: true);
            await console.WaitForExitAsync().ConfigureAwait(false);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>N stacks as Berth deploys them: web (Deployment + Service) and db (Deployment), ready, in five namespaces.</summary>
    private static void Seed(KubernetesApiDouble api, int stacks)
    {
        for (var i = 0; i < stacks; i++)
        {
            var stack = $"app{i:D3}";
            var ns = Namespaces[i % Namespaces.Length];
            foreach (var service in new[] { "web", "db" })
            {
                api.Seed($$$$"""
                    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{stack}}}}-{{{{service}}}}","namespace":"{{{{ns}}}}","labels":{"com.docker.stack.namespace":"{{{{stack}}}}","com.docker.service.name":"{{{{service}}}}"}},
                     "spec":{"replicas":2,"selector":{"matchLabels":{"com.docker.stack.namespace":"{{{{stack}}}}","com.docker.service.name":"{{{{service}}}}"}},
                       "template":{"metadata":{"labels":{"com.docker.stack.namespace":"{{{{stack}}}}","com.docker.service.name":"{{{{service}}}}"}},"spec":{"containers":[{"name":"{{{{service}}}}","image":"nginx:1.27"}]}}},
                     "status":{"replicas":2,"readyReplicas":2,"availableReplicas":2}}
                    """);
            }

            api.Seed($$$$"""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{{stack}}}}-web","namespace":"{{{{ns}}}}","labels":{"com.docker.stack.namespace":"{{{{stack}}}}","com.docker.service.name":"web"}},
                 "spec":{"selector":{"com.docker.stack.namespace":"{{{{stack}}}}","com.docker.service.name":"web"},"ports":[{"name":"80-tcp","port":80,"targetPort":80,"protocol":"TCP"}]}}
                """);
        }
    }

    private static async Task<double> TimeAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        using var answer = await client.GetAsync("/stacks", HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        watch.Stop();
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /stacks: {(int)answer.StatusCode} {answer.Headers.Location}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task WaitUntilUpAsync(HttpClient client, Process console)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (console.HasExited)
            {
                throw new InvalidOperationException($"berth-console exited ({console.ExitCode}): {await console.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
            }

            try
            {
                using var health = await client.GetAsync("/healthz").ConfigureAwait(false);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        throw new TimeoutException("berth-console did not answer /healthz within 60 s");
    }

    private static async Task SignInAsync(HttpClient client)
    {
        var login = await client.GetStringAsync("/login").ConfigureAwait(false);
        var token = WebUtility.HtmlDecode(TokenField().Match(login).Groups[1].Value);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["name"] = "bench", ["password"] = Password, ["returnUrl"] = "/" });
        using var answer = await client.PostAsync("/login", form).ConfigureAwait(false);
        if (answer.Headers.Location?.OriginalString != "/")
        {
            throw new InvalidOperationException($"sign-in failed: {(int)answer.StatusCode} {answer.Headers.Location}");
        }
    }

    private static void Run(string dll, string[] args, string input)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"berth-console {string.Join(' ', args)}: {error}");
        }
    }

    /// <summary>Resident and peak resident set (KiB) from /proc.</summary>
    private static (long Rss, long Peak) Rss(int pid)
    {
        long Field(string name) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (Field("VmRSS:"), Field("VmHWM:"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex(@"<caption>(\d+) stack\(s\)</caption>")]
    private static partial Regex Caption();

    [GeneratedRegex("<td>Kubernetes</td>")]
    private static partial Regex KubernetesRow();
}
