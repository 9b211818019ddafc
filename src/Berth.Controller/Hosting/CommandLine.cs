using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Berth.Compose.Transform;

namespace Berth.Controller.Hosting;

/// <summary>berth-controller's flags (System.CommandLine), spelt as kube-controller-manager's where one exists.</summary>
internal static class CommandLine
{
    /// <summary>Exit code for a bad command line, as kube-controller-manager's (cobra/pflag) usage errors.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Parses <paramref name="args"/>; on success runs <paramref name="run"/> with the options.</summary>
    public static async Task<int> RunAsync(string[] args, Func<ControllerOptions, CancellationToken, Task<int>> run, TextWriter? output = null, TextWriter? error = null)
    {
        var root = Build(run);
        var parse = root.Parse(args);
        // ProcessTerminationTimeout null: the host handles SIGTERM/Ctrl-C itself, so that it can release the Lease
        // and exit 0 instead of being cut off after System.CommandLine's grace.
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error, ProcessTerminationTimeout = null };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                configuration.Error.WriteLine($"berth-controller: {e.Message}");
            }

            configuration.Error.WriteLine("Run 'berth-controller --help' for the flags.");
            return UsageExitCode;
        }

        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    private static RootCommand Build(Func<ControllerOptions, CancellationToken, Task<int>> run)
    {
        var d = new ControllerOptions();
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The cluster (default: KUBECONFIG, ~/.kube/config, then the in-cluster service account)" };
        var ns = new Option<string?>("--namespace") { Description = "Watch stacks in this namespace only (default: all namespaces)" };
        var workers = new Option<int>("--workers") { Description = "How many stacks are reconciled at once", DefaultValueFactory = _ => d.Workers };
        var resync = Duration("--resync-period", "How often every stack is reconciled again though nothing changed (Go duration: 10m, 90s)", d.ResyncPeriod);
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Take a coordination.k8s.io Lease before reconciling, so that only one replica works at a time; --leader-elect=false runs without [default: true]", DefaultValueFactory = _ => d.LeaderElect, Arity = ArgumentArity.ZeroOrOne };
        var leaseDuration = Duration("--leader-elect-lease-duration", "How long followers wait after the last observed renewal before taking the Lease over", d.LeaseDuration);
        var renewDeadline = Duration("--leader-elect-renew-deadline", "How long the leader keeps retrying a renewal before it stops leading", d.RenewDeadline);
        var retryPeriod = Duration("--leader-elect-retry-period", "How long to wait between attempts to acquire or renew the Lease", d.RetryPeriod);
        var leaseNamespace = new Option<string>("--leader-elect-resource-namespace") { Description = "The namespace of the Lease", DefaultValueFactory = _ => d.LeaseNamespace };
        var leaseName = new Option<string>("--leader-elect-resource-name") { Description = "The name of the Lease", DefaultValueFactory = _ => d.LeaseName };
        var health = new Option<string>("--health-bind-address") { Description = "IP:port serving /healthz, /readyz and /metrics over plain HTTP", DefaultValueFactory = _ => d.HealthBindAddress };
        var stackSource = new Option<Reconcile.StackSource>("--stack-source")
        {
            Description = $"Which server serves compose.docker.com stacks, so where each stack's owner is read: aggregated (berth-apiserver, stacks/owner), crd (the CustomResourceDefinition, the compose.docker.com/owner annotation Berth's webhook records) or auto (asks discovery at start) [default: {SourceName(d.StackSource)}]",
            CustomParser = ParseStackSource,
        };

        var policyNamespace = new Option<string>("--policy-namespace") { Description = "The namespace of the cluster deploy policy ConfigMap berth-policy (berth system install's namespace)", DefaultValueFactory = _ => d.PolicyNamespace };
        var policyTtl = Duration("--policy-cache-ttl", "How long a read of the policy ConfigMap is used (0s: read at every reconcile)", d.PolicyCacheTimeToLive);
        var root = new RootCommand("berth-controller: reconciles compose.docker.com stacks into Kubernetes objects, as each stack's owner; one leader at a time through a Lease.");
        Option[] all = [kubeconfig, ns, workers, resync, leaderElect, leaseDuration, renewDeadline, retryPeriod, leaseNamespace, leaseName, health, stackSource, policyNamespace, policyTtl];
        foreach (var option in all)
        {
            root.Options.Add(option);
        }

        root.SetAction((parse, ct) =>
        {
            var options = new ControllerOptions
            {
                Kubeconfig = parse.GetValue(kubeconfig),
                Namespace = parse.GetValue(ns) is { Length: > 0 } one ? one : null,
                Workers = parse.GetValue(workers),
                ResyncPeriod = parse.GetValue(resync) ?? d.ResyncPeriod,
                LeaderElect = parse.GetValue(leaderElect),
                LeaseDuration = parse.GetValue(leaseDuration) ?? d.LeaseDuration,
                RenewDeadline = parse.GetValue(renewDeadline) ?? d.RenewDeadline,
                RetryPeriod = parse.GetValue(retryPeriod) ?? d.RetryPeriod,
                LeaseNamespace = parse.GetValue(leaseNamespace)!,
                LeaseName = parse.GetValue(leaseName)!,
                HealthBindAddress = parse.GetValue(health)!,
                StackSource = parse.GetResult(stackSource) is null ? d.StackSource : parse.GetValue(stackSource),
                PolicyNamespace = parse.GetValue(policyNamespace)!,
                PolicyCacheTimeToLive = parse.GetValue(policyTtl) ?? d.PolicyCacheTimeToLive,
            };
            var errors = Validate(options);
            foreach (var error in errors)
            {
                parse.InvocationConfiguration.Error.WriteLine($"berth-controller: {error}");
            }

            return errors.Count > 0 ? Task.FromResult(UsageExitCode) : run(options, ct);
        });
        return root;
    }

    /// <summary>
    /// What the parser cannot check alone; every problem at once. The duration rules are client-go's
    /// (tools/leaderelection/leaderelection.go, NewLeaderElector): lease duration &gt; renew deadline &gt;
    /// 1.2 × retry period (JitterFactor), all positive.
    /// </summary>
    public static List<string> Validate(ControllerOptions options)
    {
        var errors = new List<string>();
        if (options.Workers < 1)
        {
            errors.Add($"--workers {options.Workers}: must be at least 1");
        }

        if (options.ResyncPeriod <= TimeSpan.Zero)
        {
            errors.Add("--resync-period must be greater than zero");
        }

        if (!TryParseEndpoint(options.HealthBindAddress, out _))
        {
            errors.Add($"--health-bind-address {options.HealthBindAddress}: expected IP:port (e.g. 127.0.0.1:10257, [::1]:10257, 0.0.0.0:10257)");
        }

        if (options.LeaderElect)
        {
            // The Lease stores whole seconds (leaseDurationSeconds); under one second would store 0, which the API refuses.
            if (options.LeaseDuration < TimeSpan.FromSeconds(1))
            {
                errors.Add("--leader-elect-lease-duration must be at least 1s (the Lease stores whole seconds)");
            }
            else if (options.LeaseDuration <= options.RenewDeadline)
            {
                errors.Add("--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline");
            }

            if (options.RetryPeriod <= TimeSpan.Zero)
            {
                errors.Add("--leader-elect-retry-period must be greater than zero");
            }
            else if (options.RenewDeadline <= options.RetryPeriod * Leadership.LeaderElector.JitterFactor)
            {
                errors.Add("--leader-elect-renew-deadline must be greater than 1.2 × --leader-elect-retry-period");
            }

            if (string.IsNullOrWhiteSpace(options.LeaseNamespace) || string.IsNullOrWhiteSpace(options.LeaseName))
            {
                errors.Add("--leader-elect-resource-namespace and --leader-elect-resource-name must not be empty");
            }
        }

        if (options.Kubeconfig is { } file && !File.Exists(file))
        {
            errors.Add($"--kubeconfig {file}: no such file");
        }

        return errors;
    }

    /// <summary>IP:port, the IPv6 address in brackets.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint) =>
        IPEndPoint.TryParse(text, out endpoint!) && endpoint.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal) && (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || text.StartsWith('['));

    private static string SourceName(Reconcile.StackSource source) => source.ToString().ToLowerInvariant();

    private static Reconcile.StackSource ParseStackSource(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        var known = Enum.GetValues<Reconcile.StackSource>();
        if (Array.FindIndex(known, s => SourceName(s) == text) is var index and >= 0)
        {
            return known[index];
        }

        result.AddError($"--stack-source \"{text}\": expected one of {string.Join(", ", known.Select(SourceName))}");
        return default;
    }

    // Go durations (time.ParseDuration), as kube-controller-manager's pflag duration flags take them.
    // No DefaultValueFactory: help would print the TimeSpan (00:10:00); the description says it as Go would (10m0s).
    private static Option<TimeSpan?> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = $"{description} [default: {DurationParser.Format(fallback.Ticks * 100)}]",
        CustomParser = result => ParseDuration(name, result),
    };

    private static TimeSpan? ParseDuration(string name, ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!DurationParser.TryParse(text.Trim(), out var nanoseconds, out var error))
        {
            result.AddError($"{name} \"{text}\": not a duration ({error}); e.g. 15s, 1m30s, 500ms");
            return default;
        }

        if (nanoseconds < 0)
        {
            result.AddError($"{name} \"{text}\": must not be negative");
            return default;
        }

        return TimeSpan.FromTicks(nanoseconds / 100);
    }
}
