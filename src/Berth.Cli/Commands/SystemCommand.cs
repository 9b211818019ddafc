using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.Orchestration;
using Berth.Cli.Output;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Install;
using Berth.Policy;

namespace Berth.Cli.Commands;

/// <summary><c>berth system install|status|uninstall</c>: Berth's own server and controller in a Kubernetes cluster.</summary>
internal static class SystemCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var command = new Command("system", "Install Berth's API server and stack controller into a Kubernetes cluster")
        {
            Install(environment),
            Status(environment),
            Uninstall(environment),
        };
        return command;
    }

    private static Command Install(Func<string, string?> environment)
    {
        var mode = new Option<string>("--mode") { Description = "How stacks are served: aggregated (berth-apiserver with etcd behind APIServices) or crd (a CustomResourceDefinition with webhooks)", HelpName = "aggregated|crd", DefaultValueFactory = _ => "aggregated" };
        mode.AcceptOnlyFromAmong("aggregated", "crd");
        var etcd = new Option<string?>("--etcd-servers") { Description = "Aggregated mode: external etcd URLs, comma-separated (default: install an etcd StatefulSet with a claim)" };
        var image = new Option<string>("--image") { Description = "Image holding berth-apiserver and berth-controller", DefaultValueFactory = _ => "berth:" + BerthVersion.Informational };
        var replicas = new Option<int>("--replicas") { Description = "Replicas of each Deployment (the controllers elect a leader)", DefaultValueFactory = _ => 1 };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the manifests instead of applying them (for GitOps; pipes into 'kubectl apply -f -')" };
        var output = new Option<string?>("--output", "-o") { Description = "With --dry-run: yaml (a --- separated stream, default) or json (a v1 List)", HelpName = "yaml|json" };
        output.AcceptOnlyFromAmong("yaml", "json");
        var policy = new Option<string?>("--policy") { Description = $"The cluster deploy policy the Stack API and the controller apply: a built-in profile ({PolicySource.ProfileNames}) or a policy file, written to the ConfigMap berth-policy (default: an existing one is left as it is)", HelpName = "FILE|PROFILE" };
        var policyMode = new Option<string?>("--policy-mode") { Description = "With --policy: the ConfigMap's mode, overriding the policy's own (warn: violations are warnings; enforce: they refuse the stack)", HelpName = "warn|enforce" };
        policyMode.AcceptOnlyFromAmong("warn", "enforce");
        var command = new Command("install", "Install or upgrade Berth: create what is missing, update what differs, leave the rest untouched") { mode, etcd, image, replicas, policy, policyMode, dryRun, output };
        var access = new AccessOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var options = new InstallOptions
            {
                Mode = parse.GetValue(mode) == "crd" ? InstallMode.Crd : InstallMode.Aggregated,
                Namespace = access.Namespace(parse),
                EtcdServers = parse.GetValue(etcd),
                Image = parse.GetValue(image)!,
                Replicas = parse.GetValue(replicas),
            };
            if (InstallUsageError(parse, options, etcd, output, dryRun) is { } usage)
            {
                stderr.WriteLine("berth system install: " + usage.Message);
                stderr.WriteLine("hint: " + usage.Hint);
                return ExitCodes.Usage;
            }

            if (parse.GetValue(policyMode) is { } modeValue && parse.GetValue(policy) is null)
            {
                stderr.WriteLine($"berth system install: --policy-mode {modeValue} has no policy to apply");
                stderr.WriteLine($"hint: name one with --policy ({PolicySource.ProfileNames}, or a policy file)");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(policy) is { } named)
            {
                // Checked here as the Stack API will read it, so an install never writes a policy that refuses every stack.
                if (ClusterPolicyText(named, cancellationToken) is not { } text)
                {
                    DiagnosticPrinter.Print(stderr, PolicySource.Load(named, null, cancellationToken).Diagnostics);
                    stderr.WriteLine($"berth system install: the policy '{named}' cannot be read; nothing was installed");
                    return ExitCodes.InvalidInput;
                }

                options = options with { Policy = text, PolicyMode = parse.GetValue(policyMode) };
            }

            if (parse.GetValue(dryRun))
            {
                // Offline: a new CA every run. To keep the one a cluster has, run install against it instead.
                var tls = InstallTls.Generate(InstallTls.DnsNames(InstallManifests.ServingServiceName(options.Mode), options.Namespace), DateTimeOffset.UtcNow);
                var objects = InstallManifests.Build(options, tls, StackCrdSchemas.Load());
                stdout.Write(parse.GetValue(output) == "json" ? InstallManifests.ToJson(objects) : InstallManifests.ToYaml(objects));
                return ExitCodes.Success;
            }

            return await RunAsync(stderr, "install", access.Connect(parse, environment), async cluster =>
            {
                stdout.WriteLine($"Installing Berth ({Mode(options.Mode)} mode, image {options.Image}) into namespace {options.Namespace} on {cluster.Server}");
                var result = await SystemInstaller.InstallAsync(cluster.Client, options, step =>
                    stdout.WriteLine($"{step.Action.ToString().ToLowerInvariant()} {step.Object}{(step.Fields.IsEmpty ? string.Empty : $" ({string.Join(", ", step.Fields)})")}"), cancellationToken).ConfigureAwait(false);
                var count = (InstallAction action) => result.Steps.Count(s => s.Action == action).ToString(CultureInfo.InvariantCulture);
                stdout.WriteLine($"Berth installed: {count(InstallAction.Created)} created, {count(InstallAction.Updated)} updated, {count(InstallAction.Unchanged)} unchanged{(result.TlsGenerated ? "; a new CA and serving certificate were generated" : string.Empty)}");
                stdout.WriteLine($"Check it with 'berth system status -n {options.Namespace}'");
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Status(Func<string, string?> environment)
    {
        var output = new Option<string?>("--output", "-o") { Description = "json: the status as JSON", HelpName = "json" };
        output.AcceptOnlyFromAmong("json");
        var command = new Command("status", "Show what is installed: mode, image, ready replicas, APIService or CRD conditions (exit 1 when not installed)") { output };
        var access = new AccessOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var ns = access.Namespace(parse);
            return await RunAsync(stderr, "status", access.Connect(parse, environment), async cluster =>
            {
                var status = await SystemInstaller.StatusAsync(cluster.Client, ns, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(output) == "json")
                {
                    stdout.WriteLine(StatusJson(status).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                }
                else
                {
                    WriteStatus(stdout, status, cluster.Server);
                }

                if (!status.Installed)
                {
                    stderr.WriteLine($"berth system status: Berth is not installed in namespace {ns} on {cluster.Server}");
                    stderr.WriteLine($"hint: run 'berth system install -n {ns}', or pass the namespace it was installed in");
                    return ExitCodes.InvalidInput;
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Uninstall(Func<string, string?> environment)
    {
        var all = new Option<bool>("--all") { Description = "Also delete the stacks' workloads, the stacks' storage (etcd claim, or the CRD and so every stack) and the namespace" };
        var command = new Command("uninstall", "Remove what install made (found by its labels); stacks and their workloads are kept unless --all") { all };
        var access = new AccessOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var ns = access.Namespace(parse);
            return await RunAsync(stderr, "uninstall", access.Connect(parse, environment), async cluster =>
            {
                var result = await SystemInstaller.UninstallAsync(cluster.Client, ns, parse.GetValue(all), stdout.WriteLine, cancellationToken).ConfigureAwait(false);
                if (result.Deleted.IsEmpty)
                {
                    stdout.WriteLine($"Nothing of Berth's install found on {cluster.Server}");
                }

                foreach (var kept in result.Kept)
                {
                    stdout.WriteLine("kept " + kept);
                }

                if (!result.Kept.IsEmpty)
                {
                    stdout.WriteLine("hint: run 'berth system uninstall --all' to delete these too (stacks' workloads and stored stacks are lost)");
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// What the ConfigMap's policy.yaml holds for <c>--policy</c>: the profile's name, or the file's text; null when it
    /// is neither a readable policy nor a profile (the caller prints why).
    /// </summary>
    private static string? ClusterPolicyText(string named, CancellationToken cancellationToken)
    {
        var loaded = PolicySource.Load(named, null, cancellationToken);
        if (loaded.Policy is null)
        {
            return null;
        }

        // PolicySource.Load takes a bare name (no folder, no extension) that is a profile as the profile.
        var bare = named.AsSpan().IndexOfAny('/', '\\', '.') < 0;
        return bare && PolicySource.ProfileNames.Split(", ").Contains(named, StringComparer.Ordinal) ? named : File.ReadAllText(named);
    }

    private static (string Message, string Hint)? InstallUsageError(ParseResult parse, InstallOptions options, Option<string?> etcd, Option<string?> output, Option<bool> dryRun)
    {
        if (options.Mode == InstallMode.Crd && options.EtcdServers is not null)
        {
            return ("--etcd-servers only applies to --mode aggregated (CRD mode keeps stacks in the cluster's own storage)", "drop --etcd-servers, or pass --mode aggregated");
        }

        if (options.EtcdServers is { } servers && servers.Split(',').FirstOrDefault(s => !Uri.TryCreate(s.Trim(), UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")) is { } bad)
        {
            return ($"--etcd-servers: '{bad}' is not an http:// or https:// URL", "pass etcd client URLs, e.g. --etcd-servers https://etcd-0:2379,https://etcd-1:2379");
        }

        if (options.Replicas < 1)
        {
            return ($"--replicas must be 1 or more (got {options.Replicas})", "pass --replicas 1, or 2 for a standby controller");
        }

        if (string.IsNullOrWhiteSpace(options.Image))
        {
            return ("--image must name an image", "pass --image REGISTRY/berth:TAG");
        }

        if (parse.GetResult(output) is { Implicit: false } && !parse.GetValue(dryRun))
        {
            return ("--output only applies with --dry-run", "add --dry-run to print the manifests, or drop --output");
        }

        return null;
    }

    private static void WriteStatus(TextWriter stdout, InstallStatus status, string server)
    {
        stdout.WriteLine(status.Mode is { } mode
            ? $"Berth ({Mode(mode)} mode) in namespace {status.Namespace} on {server}"
            : $"Berth: no APIService or CRD of Berth's on {server}");
        foreach (var deployment in status.Deployments)
        {
            stdout.WriteLine($"Deployment {deployment.Name}: {deployment.Ready}/{deployment.Desired} ready, image {deployment.Image}");
        }

        foreach (var condition in status.Conditions)
        {
            stdout.WriteLine($"{condition.Object}: {condition.Type}={condition.Status}{(condition.Reason is null ? string.Empty : $" ({condition.Reason})")}");
        }

        foreach (var note in status.Notes)
        {
            stdout.WriteLine("note: " + note);
        }
    }

    private static JsonObject StatusJson(InstallStatus status) => new()
    {
        ["installed"] = status.Installed,
        ["mode"] = status.Mode is { } mode ? Mode(mode) : null,
        ["namespace"] = status.Namespace,
        ["deployments"] = new JsonArray([.. status.Deployments.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["ready"] = d.Ready, ["replicas"] = d.Desired, ["image"] = d.Image })]),
        ["conditions"] = new JsonArray([.. status.Conditions.Select(c => (JsonNode)new JsonObject { ["object"] = c.Object, ["type"] = c.Type, ["status"] = c.Status, ["reason"] = c.Reason })]),
        ["notes"] = new JsonArray([.. status.Notes.Select(n => (JsonNode)JsonValue.Create(n))]),
    };

    private static string Mode(InstallMode mode) => mode == InstallMode.Crd ? "crd" : "aggregated";

    /// <summary>Connects and runs; a cluster that cannot be used is exit 3 with the access layer's message and hint.</summary>
    private static async Task<int> RunAsync(TextWriter stderr, string verb, Func<KubernetesCluster> connect, Func<KubernetesCluster, Task<int>> action)
    {
        KubernetesCluster? cluster = null;
        try
        {
            cluster = connect();
            return await action(cluster).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && (ex as KubernetesAccessException ?? cluster?.Explain(ex)) is not null)
        {
            var explained = ex as KubernetesAccessException ?? cluster!.Explain(ex)!;
            stderr.WriteLine($"berth system {verb}: {explained.Message}");
            if (explained.Hint is { } hint)
            {
                stderr.WriteLine("hint: " + hint);
            }

            return ExitCodes.OrchestratorError;
        }
        finally
        {
            cluster?.Dispose();
        }
    }

    /// <summary>The Kubernetes connection flags as the stack verbs take them; <c>--namespace</c> is where Berth is installed.</summary>
    private sealed class AccessOptions
    {
        private readonly Option<string?> _kubeconfig = new("--kubeconfig") { Description = "Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)" };
        private readonly Option<string?> _context = new("--context") { Description = "Kubeconfig context (default: its current-context)" };
        private readonly Option<string> _namespace = new("--namespace", "-n") { Description = "The namespace Berth is installed in", DefaultValueFactory = _ => InstallOptions.DefaultNamespace };

        public AccessOptions(Command command)
        {
            command.Options.Add(_namespace);
            command.Options.Add(_kubeconfig);
            command.Options.Add(_context);
        }

        public string Namespace(ParseResult parse) => parse.GetValue(_namespace) ?? InstallOptions.DefaultNamespace;

        /// <summary>kubectl's order as the stack verbs have it: --kubeconfig &gt; KUBECONFIG &gt; the Berth config file's; --context &gt; the file's.</summary>
        public Func<KubernetesCluster> Connect(ParseResult parse, Func<string, string?> environment) => () =>
        {
            var read = BerthConfigReader.Read(environment);
            if (read.Error is not null)
            {
                throw new KubernetesAccessException(read.Error, "fix the file, or point BERTH_CONFIG at another one");
            }

            return KubernetesCluster.Connect(
                new KubernetesAccessOptions
                {
                    Kubeconfig = parse.GetValue(_kubeconfig) ?? (string.IsNullOrEmpty(environment("KUBECONFIG")) ? read.Config.Kubeconfig : null),
                    Context = parse.GetValue(_context) ?? read.Config.Context,
                },
                environment);
        };
    }
}
