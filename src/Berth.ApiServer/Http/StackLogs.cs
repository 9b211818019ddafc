using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Berth.ApiServer.Security;
using Berth.StackApi;
using Berth.StackApi.Storage;
using Berth.Stacks;

namespace Berth.ApiServer.Http;

/// <summary>
/// GET stacks/{name}/log: the logs of the stack's pods (label com.docker.stack.namespace=&lt;stack&gt; in its namespace),
/// each line prefixed with the pod name, as compose-on-kubernetes's logstreamer (internal/registry/logstreamer.go):
/// <c>follow</c> keeps streaming and adds pods that start running later (a pod watch), <c>tail</c> lines per container,
/// <c>filter</c> a regular expression over the prefixed line. Unlike compose-on-kubernetes, which read with its own
/// credentials, every read goes to the cluster as the requesting user (<see cref="ImpersonatingClient"/>): a user
/// RBAC denies pods or pods/log gets the cluster's 403 Status, never the logs. Long-running: no request timeout; the
/// client going away closes every upstream stream. Standalone servers do not map it (StacksApi answers 503).
/// </summary>
internal sealed class StackLogs(IStackStore store, ImpersonatingClient cluster, ILogger logger)
{
    public void Map(WebApplication app)
        => app.Map("/apis/" + StackApiGroup.Group + "/{version}/namespaces/{ns}/stacks/{name}/log", ServeAsync);

    private sealed record LogOptions(bool Follow, int? Tail, Regex? Filter);

    private sealed record LogStream(string Pod, ClusterResponse Response);

    private async Task ServeAsync(HttpContext context)
    {
        var version = (string)context.GetRouteValue("version")!;
        if (!StackApiGroup.IsServed(version) || !Discovery.IsServed(version, "stacks/log"))
        {
            throw ApiStatus.PathNotFound();
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiStatus.MethodNotAllowed(context.Request.Method);
        }

        var ns = (string)context.GetRouteValue("ns")!;
        var name = (string)context.GetRouteValue("name")!;
        var options = Options(context.Request.Query);
        var ct = context.RequestAborted;
        try
        {
            await store.GetAsync(ns, name, ct).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            throw StoreErrors.ToApi(e);
        }

        var user = context.Features.Get<UserInfo>()!;
        using var upstream = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var selector = Uri.EscapeDataString($"{StackLabels.StackNamespace}={name}");
        var (pods, resourceVersion) = await ListPodsAsync(user, ns, selector, upstream.Token).ConfigureAwait(false);
        var streams = new List<LogStream>();
        var streaming = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        try
        {
            // compose-on-kubernetes: without follow every listed pod, with follow the running ones (later ones by watch).
            foreach (var pod in pods.Where(p => !options.Follow || Phase(p) == "Running"))
            {
                streaming[PodName(pod)] = 0;
                streams.AddRange(await OpenAsync(user, ns, pod, options, refuse: true, upstream.Token).ConfigureAwait(false));
            }
        }
        catch
        {
            foreach (var opened in streams)
            {
                await opened.Response.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (!options.Follow && streams.Count == 0)
        {
            await context.Response.WriteAsync($"Stack {ns}/{name} does not exist or has no running pods\n", ct).ConfigureAwait(false);
            return;
        }

        logger.LogInformation("stack {Namespace}/{Name} logs for {User}: {Streams} container streams{Follow}", ns, name, user.Name, streams.Count, options.Follow ? ", following" : string.Empty);
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { SingleReader = true });
        var pumps = new ConcurrentBag<Task>(streams.Select(s => PumpAsync(s, lines.Writer, upstream.Token)));
        if (options.Follow)
        {
            pumps.Add(FollowNewPodsAsync(user, ns, selector, resourceVersion, options, streaming, pumps, lines.Writer, upstream.Token));
        }
        else
        {
            _ = Task.WhenAll(pumps).ContinueWith(_ => lines.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        try
        {
            await context.Response.StartAsync(ct).ConfigureAwait(false);
            await foreach (var line in lines.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (options.Filter is null || options.Filter.IsMatch(line))
                {
                    await context.Response.WriteAsync(line + "\n", ct).ConfigureAwait(false);
                }

                if (lines.Reader.Count == 0)
                {
                    await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // The client went away (or every stream ended): close what is still open upstream.
            await upstream.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
        }
    }

    /// <summary>follow, tail and filter as compose-on-kubernetes parseArgs reads them; bad values are 400.</summary>
    private static LogOptions Options(IQueryCollection query)
    {
        var follow = query["follow"].ToString() is { Length: > 0 } f && f != "0" && f != "false";
        int? tail = null;
        if (query["tail"].ToString() is { Length: > 0 } t)
        {
            tail = int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw ApiStatus.BadRequest($"tail must be a non-negative number of lines, got {JsonSerializer.Serialize(t)}");
        }

        Regex? filter = null;
        if (query["filter"].ToString() is { Length: > 0 } pattern)
        {
            try
            {
                // Linear-time matching, as Go's RE2: a filter cannot make the server backtrack for ever.
                filter = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw ApiStatus.BadRequest($"filter is not a valid regular expression: {e.Message}");
            }
        }

        return new LogOptions(follow, tail, filter);
    }

    private async Task<(IReadOnlyList<JsonObject> Pods, string ResourceVersion)> ListPodsAsync(UserInfo user, string ns, string selector, CancellationToken ct)
    {
        await using var response = await SendAsync(user, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods?labelSelector={selector}", ct).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw await response.RefusalAsync("listing the stack's pods", ct).ConfigureAwait(false);
        }

        var list = JsonNode.Parse(await response.ReadTextAsync(ct).ConfigureAwait(false));
        var pods = (list?["items"] as JsonArray ?? []).OfType<JsonObject>().OrderBy(PodName, StringComparer.Ordinal).ToList();
        return (pods, list?["metadata"]?["resourceVersion"]?.ToString() ?? string.Empty);
    }

    /// <summary>
    /// One log stream per container of the pod. A 403 (the user may not read pods/log) refuses the whole request
    /// when <paramref name="refuse"/>; other failures (a container not started yet) leave that container out.
    /// </summary>
    private async Task<List<LogStream>> OpenAsync(UserInfo user, string ns, JsonObject pod, LogOptions options, bool refuse, CancellationToken ct)
    {
        var opened = new List<LogStream>();
        var podName = PodName(pod);
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.ToString()).OfType<string>().ToList();
        foreach (var container in containers)
        {
            var query = new StringBuilder($"container={Uri.EscapeDataString(container)}");
            if (options.Follow)
            {
                query.Append("&follow=true");
            }

            if (options.Tail is { } tail)
            {
                query.Append(CultureInfo.InvariantCulture, $"&tailLines={tail}");
            }

            var response = await SendAsync(user, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(podName)}/log?{query}", ct).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                opened.Add(new LogStream(podName, response));
                continue;
            }

            await using (response.ConfigureAwait(false))
            {
                if (refuse && response.Status == 403)
                {
                    foreach (var other in opened)
                    {
                        await other.Response.DisposeAsync().ConfigureAwait(false);
                    }

                    throw await response.RefusalAsync("reading the pod's log", ct).ConfigureAwait(false);
                }

                logger.LogInformation("no log from {Pod} container {Container}: the cluster answered {Code}", podName, container, response.Status);
            }
        }

        return opened;
    }

    private async Task<ClusterResponse> SendAsync(UserInfo user, string path, CancellationToken ct)
    {
        try
        {
            return await cluster.GetAsync(user, path, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw ApiStatus.ServiceUnavailable($"stacks/log could not reach the cluster: {e.Message}");
        }
    }

    // Each line of the container's log, prefixed with the pod name, until the stream ends or the request does.
    private static async Task PumpAsync(LogStream stream, ChannelWriter<string> lines, CancellationToken ct)
    {
        await using var response = stream.Response;
        using var reader = new StreamReader(response.Body, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                await lines.WriteAsync($"{stream.Pod} {line}", ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The pod went away, the connection closed or the request ended: this stream is done.
        }
    }

    /// <summary>
    /// With follow: watches the stack's pods from the list's resourceVersion, as the requesting user, and streams each
    /// pod that becomes Running and is not streamed yet (compose-on-kubernetes's watchPods), until the request ends.
    /// </summary>
    private async Task FollowNewPodsAsync(UserInfo user, string ns, string selector, string resourceVersion, LogOptions options, ConcurrentDictionary<string, byte> streaming, ConcurrentBag<Task> pumps, ChannelWriter<string> lines, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await using var watch = await cluster.GetAsync(user, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods?labelSelector={selector}&watch=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}", ct).ConfigureAwait(false);
                if (!watch.IsSuccess)
                {
                    logger.LogInformation("stack logs: the pod watch was refused ({Code}); no later pods are followed", watch.Status);
                    return;
                }

                using var reader = new StreamReader(watch.Body, Encoding.UTF8);
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    var change = JsonNode.Parse(line) as JsonObject;
                    var type = change?["type"]?.ToString();
                    if (change?["object"] is not JsonObject pod || type == "ERROR")
                    {
                        // An expired resourceVersion (410) or another watch error: stop following new pods.
                        return;
                    }

                    resourceVersion = pod["metadata"]?["resourceVersion"]?.ToString() ?? resourceVersion;
                    if (type is "ADDED" or "MODIFIED" && Phase(pod) == "Running" && streaming.TryAdd(PodName(pod), 0))
                    {
                        foreach (var stream in await OpenAsync(user, ns, pod, options, refuse: false, ct).ConfigureAwait(false))
                        {
                            pumps.Add(PumpAsync(stream, lines, ct));
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException or ApiException or JsonException)
        {
            // The request ended, or the cluster did: the streams already open go on until they end.
        }
    }

    private static string PodName(JsonObject pod) => pod["metadata"]?["name"]?.ToString() ?? string.Empty;

    private static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.ToString();
}
