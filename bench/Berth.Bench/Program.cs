using System.Diagnostics;
using BenchmarkDotNet.Running;
using Berth.Bench;
using Berth.Compose.Loading;

// `dotnet run -c Release --project bench/Berth.Bench -- convert [N]` prints one timed load + Kubernetes conversion
// of N (default 2,000) generated services with allocations.
if (args is ["convert", ..])
{
    ConvertRun.Quick(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000);
    return;
}

// `dotnet run -c Release --project bench/Berth.Bench -- policy [N]` prints the median load and policy evaluation
// (restricted, and every rule on) of N (default 2,000) generated services, evaluation as a percentage of load;
// `policy N --by-rule` times each rule alone; `policy N --profile SECONDS` only evaluates, in a loop (for perf record).
if (args is ["policy", ..])
{
    var services = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
    if (args is [_, _, "--by-rule"])
    {
        PolicyRun.ByRule(services);
    }
    else if (args is [_, _, "--profile", var seconds])
    {
        PolicyRun.Profile(services, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    }
    else
    {
        PolicyRun.Quick(services);
    }

    return;
}

// `dotnet run -c Release --project bench/Berth.Bench -- k8s-requests [N]` deploys a generated N-service stack
// (default 20) to the in-process Kubernetes API test double and prints the requests of a first deploy, an unchanged
// redeploy and a one-service image change (writes, reads, by verb).
if (args is ["k8s-requests", ..])
{
    await KubernetesRequestCounts.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return;
}

// `bench/stackapi/run.sh` runs `stackapi --server URL --token T --ca FILE --etcd URL [--clients C] [--seconds S] [--warmup W]
// [--stacks N] [--pid PID]` against the berth-apiserver and etcd it started: API and raw etcd throughput side by side.
if (args is ["stackapi", ..])
{
    await StackApiThroughput.RunAsync(args[1..]);
    return;
}

// `bench/console/run.sh` runs `console --console-dll FILE [--stacks N] [--requests R] [--warmup W]`: berth-console's
// stacks page with N stacks (default 500) on the Kubernetes API test double, response times and the console's RSS.
if (args is ["console", ..])
{
    await ConsoleStacksBench.RunAsync(args[1..]);
    return;
}

// `dotnet run -c Release --project bench/Berth.Bench -- quick` prints one timed load of 2,000 services with
// memory figures; any other arguments go to BenchmarkDotNet.
if (args is ["quick", ..])
{
    var services = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
    var file = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), $"berth-bench-{services}"), services);
    var env = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("HOME", "/root");
    // The first runs include JIT and tiering; report the first (cold, in-process) and the best of the rest.
    var times = new List<double>();
    long allocated = 0;
    LoadResult? result = null;
    for (var run = 0; run < 8; run++)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = env });
        sw.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine($"services={result!.Project?.Services.Count} errors={result.Diagnostics.Count(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error)} " +
                      $"first_ms={times[0]:F1} best_ms={times.Skip(1).Min():F1} median_ms={times.Skip(1).Order().ElementAt(3):F1} allocated_mb={allocated / 1048576.0:F1} file_kb={new FileInfo(file).Length / 1024}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(LoaderBenchmarks).Assembly).Run(args);
