using Berth.Policy.Cluster;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Controller.Hosting;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Observe;
using Berth.StackApi;
using Berth.Stacks;

namespace Berth.Controller.Reconcile;

/// <summary>
/// Lists and watches compose.docker.com stacks (all namespaces or <see cref="ControllerOptions.Namespace"/>) and the
/// objects labelled com.docker.stack.namespace, queues the stack each change concerns, and reconciles queued stacks
/// with <see cref="ControllerOptions.Workers"/> workers; every known stack is queued again each
/// <see cref="ControllerOptions.ResyncPeriod"/>. Watches resume from the last resourceVersion seen; a 410 Gone (the
/// server compacted past it) lists again, as client-go's reflector does (tools/cache/reflector.go).
/// </summary>
internal sealed class StackController : IDisposable
{
    private const int WatchTimeoutSeconds = 300;
    private static readonly TimeSpan RetryAfterError = TimeSpan.FromSeconds(1);

    private readonly ControllerOptions _options;
    private readonly KubernetesCluster _cluster;
    private readonly StackReconciler _reconciler;
    private readonly StackOwners _owners;
    private readonly ClusterPolicySource _policy;
    private readonly ILogger _logger;
    private readonly WorkQueue<StackKey> _queue = new();
    private readonly ConcurrentDictionary<StackKey, byte> _known = new();
    private volatile bool _synced;

    private StackController(ControllerOptions options, KubernetesCluster cluster, ILogger logger)
    {
        _options = options;
        _cluster = cluster;
        _logger = logger;
        _owners = new StackOwners(options.StackSource, Client, logger);
        _policy = ClusterPolicies.Open(options, Client);
        _reconciler = new StackReconciler(options.Kubeconfig, Client, _owners, logger, _policy);
    }

    /// <summary>True once the first list of stacks is queued (for /readyz).</summary>
    public bool Synced => _synced;

    private k8s.Kubernetes Client => (k8s.Kubernetes)_cluster.Client;

    public static StackController Create(ControllerOptions options, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = options.Kubeconfig });
        return new StackController(options, cluster, logs.CreateLogger("Berth.Controller.Reconcile"));
    }

    /// <summary>Runs the watches, the resync and the workers until cancelled; returns once in-flight reconciles end.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Which mode serves stacks decides where owners are read; nothing is watched before it is known.
        if (!await _owners.ResolveAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var tasks = new List<Task>
        {
            WatchAsync(StacksPath(), string.Empty, OnStackList, OnStackEvent, cancellationToken),
            ResyncAsync(cancellationToken),
        };
        tasks.AddRange(ResourceKinds.All.Select(kind => WatchAsync(
            ResourceKind.PathOf(kind.Group, kind.Version, kind.Plural, _options.Namespace),
            StackLabels.StackNamespace,
            _ => { },
            OnChildEvent,
            cancellationToken)));
        // Pods too, but only those with a problem queue their stack (ServiceStatuses.MayHaveProblem): a pod becoming
        // ready changes its workload's status, which is watched; a crash loop or a failed pull changes only the pod.
        tasks.Add(WatchAsync(ResourceKind.PathOf(string.Empty, "v1", "pods", _options.Namespace), StackLabels.StackNamespace, _ => { }, OnPodEvent, cancellationToken));
        tasks.AddRange(Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => WorkAsync(cancellationToken)));
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private string StacksPath()
        => ResourceKind.PathOf(StackApiGroup.Group, StackApiGroup.V1Beta1, "stacks", _options.Namespace);

    private void Enqueue(StackKey key)
    {
        _queue.Add(key);
        ControllerMetrics.QueueDepth.Set(_queue.Depth);
    }

    private void OnStackList(List<JsonObject> stacks)
    {
        var listed = stacks.Select(Key).OfType<StackKey>().ToHashSet();
        foreach (var gone in _known.Keys.Where(k => !listed.Contains(k)))
        {
            _known.TryRemove(gone, out _);
        }

        foreach (var key in listed)
        {
            _known[key] = 0;
            Enqueue(key);
        }

        _synced = true;
    }

    private void OnStackEvent(string type, JsonObject stack)
    {
        if (Key(stack) is not { } key)
        {
            return;
        }

        if (type == "DELETED")
        {
            _known.TryRemove(key, out _);
            return;
        }

        _known[key] = 0;
        Enqueue(key);
    }

    // A child's change queues the stack its label names, when that stack is one of the Stack API's (the CLI's
    // stacks carry the same label and are not the controller's).
    private void OnChildEvent(string type, JsonObject child)
    {
        if (child["metadata"]?["namespace"]?.ToString() is { } ns
            && child["metadata"]?["labels"]?[StackLabels.StackNamespace]?.ToString() is { } stack
            && _known.ContainsKey(new StackKey(ns, stack)))
        {
            Enqueue(new StackKey(ns, stack));
        }
    }

    private void OnPodEvent(string type, JsonObject pod)
    {
        if (type != "DELETED" && ServiceStatuses.MayHaveProblem(pod))
        {
            OnChildEvent(type, pod);
        }
    }

    private static StackKey? Key(JsonObject stack)
        => stack["metadata"]?["namespace"]?.ToString() is { } ns && stack["metadata"]?["name"]?.ToString() is { } name ? new StackKey(ns, name) : null;

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncPeriod);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in _known.Keys)
            {
                Enqueue(key);
            }
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            StackKey key;
            try
            {
                key = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ControllerMetrics.QueueDepth.Set(_queue.Depth);
            var started = Stopwatch.GetTimestamp();
            string result;
            try
            {
                var outcome = await _reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
                result = outcome == ReconcileResult.Done ? "success" : "failure";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _queue.Done(key);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError("stack {Stack}: reconcile failed: {Message}", key, e.Message);
                result = "error";
            }

            ControllerMetrics.Duration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ControllerMetrics.Reconciles.WithLabels(result).Inc();
            if (result == "success")
            {
                _queue.Forget(key);
            }
            else
            {
                ControllerMetrics.Errors.Inc();
                var delay = _queue.AddRateLimited(key, cancellationToken);
                _logger.LogInformation("stack {Stack}: retried in {Delay} ms", key, (long)delay.TotalMilliseconds);
            }

            _queue.Done(key);
        }
    }

    /// <summary>List, then watch from the list's resourceVersion; resume from the last one seen; list again on 410 Gone.</summary>
    private async Task WatchAsync(string path, string labelSelector, Action<List<JsonObject>> onList, Action<string, JsonObject> onEvent, CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var query = labelSelector.Length == 0 ? string.Empty : "?labelSelector=" + Uri.EscapeDataString(labelSelector);
                    var list = await ClusterJson.SendAsync(Client, HttpMethod.Get, path + query, null, null, cancellationToken).ConfigureAwait(false);
                    if (!list.IsSuccess || list.Body is not { } body)
                    {
                        _logger.LogWarning("list {Path}: {Message}", path, list.Message);
                        await Task.Delay(RetryAfterError, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    resourceVersion = body["metadata"]?["resourceVersion"]?.ToString() ?? string.Empty;
                    onList([.. (body["items"] as JsonArray ?? []).OfType<JsonObject>()]);
                }

                await foreach (var change in WatchStream.ReadAsync(Client, path, labelSelector, resourceVersion, WatchTimeoutSeconds, cancellationToken).ConfigureAwait(false))
                {
                    var item = JsonNode.Parse(change.ObjectJson) as JsonObject;
                    if (change.Type == "ERROR")
                    {
                        // An ERROR event carries a Status; 410 (Expired/Gone): the resourceVersion is compacted away.
                        var code = item?["code"]?.GetValue<int>() ?? 0;
                        _logger.LogInformation("watch {Path}: {Message}", path, item?["message"]?.ToString());
                        if (code == 410)
                        {
                            resourceVersion = null;
                        }

                        break;
                    }

                    if (item?["metadata"]?["resourceVersion"]?.ToString() is { Length: > 0 } seen)
                    {
                        resourceVersion = seen;
                    }

                    if (change.Type != "BOOKMARK" && item is not null)
                    {
                        onEvent(change.Type, item);
                    }
                }
            }
            catch (WatchExpiredException)
            {
                resourceVersion = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                _logger.LogWarning("watch {Path}: {Message}; again in {Seconds} s", path, e.Message, RetryAfterError.TotalSeconds.ToString(CultureInfo.InvariantCulture));
                await Task.Delay(RetryAfterError, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        _policy.Dispose();
        _cluster.Dispose();
    }
}
