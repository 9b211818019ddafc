using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Controller.Reconcile;

/// <summary>
/// Records core v1 Events on a stack, as the controller (its own identity: events are its record, not the owner's
/// act), the way client-go's tools/record does (staging/src/k8s.io/client-go/tools/record/event.go,
/// events_cache.go): an event named <c>&lt;stack&gt;.&lt;hex nanoseconds&gt;</c> with source component
/// berth-controller; the same event again (object, type, reason, message) bumps the count and lastTimestamp of the
/// one recorded (EventCorrelator's eventObserve: a PATCH) instead of creating another, and is created anew when that
/// one has expired (404); a token bucket per stack (burst 25, one more every 5 minutes: EventSourceObjectSpamFilter's
/// defaults) drops the rest, so a stack retried with backoff does not flood. Recording never fails a reconcile.
/// </summary>
internal sealed class StackEvents(k8s.Kubernetes controllerClient, ILogger logger)
{
    public const string Component = "berth-controller";

    // client-go's maxLruCacheEntries and the spam filter's defaults (events_cache.go).
    private const int MaxRemembered = 4096;
    private const int Burst = 25;
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMinutes(5);

    // events.k8s.io/v1 refuses a note over 1 kB (pkg/apis/core/validation/events.go, NoteLengthLimit); kept alike here.
    private const int MaxMessage = 1024;

    private readonly Dictionary<(string Uid, string Type, string Reason, string Message), Recorded> _recorded = [];
    private readonly Dictionary<string, (double Tokens, DateTime At)> _buckets = [];
    private readonly Lock _lock = new();

    private sealed record Recorded(string Name, int Count);

    /// <summary>The event a status deserves, if any: Applied for an apply that changed objects; a Warning for a failure new to the status or retried.</summary>
    public static (string Type, string Reason, string Message)? For(StackStatus status, bool statusChanged)
    {
        if (status.Phase == StackPhase.Failure)
        {
            return statusChanged || status.Retried ? ("Warning", WarningReason(status), status.Message) : null;
        }

        return status.Applied is { } applied
            ? ("Normal", "Applied", string.Create(CultureInfo.InvariantCulture, $"{applied.Created} created, {applied.Updated} updated, {applied.Pruned} pruned"))
            : null;
    }

    private static string WarningReason(StackStatus status) => status.Reason switch
    {
        "Forbidden" => "Forbidden",
        "PolicyDenied" or "PolicyUnavailable" => status.Reason,
        "InvalidComposeFile" or "Invalid" or "Collision" or "Refused" => "InvalidStack",
        _ when !status.Services.IsDefaultOrEmpty => "ServiceFailed",
        _ => "ReconcileFailed",
    };

    /// <summary>Records what <paramref name="status"/> deserves about <paramref name="stack"/> (as read, before the status is written).</summary>
    public async Task RecordAsync(StackKey key, JsonObject stack, StackStatus status, CancellationToken cancellationToken)
    {
        if (For(status, !status.IsWritten(stack["status"] as JsonObject)) is not var (type, reason, message))
        {
            return;
        }

        message = message.Length <= MaxMessage ? message : string.Concat(message.AsSpan(0, MaxMessage - 3), "...");
        var uid = stack["metadata"]?["uid"]?.ToString() ?? string.Empty;
        var now = DateTime.UtcNow;
        Recorded? earlier;
        lock (_lock)
        {
            if (!Allowed(uid, now))
            {
                logger.LogDebug("stack {Stack}: event {Reason} dropped (too many events for this stack)", key, reason);
                return;
            }

            _recorded.TryGetValue((uid, type, reason, message), out earlier);
        }

        var time = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var events = $"api/v1/namespaces/{Uri.EscapeDataString(key.Namespace)}/events";
        ClusterAnswer? answer = null;
        var recorded = earlier is null ? null : earlier with { Count = earlier.Count + 1 };
        if (recorded is not null)
        {
            var patch = new JsonObject { ["count"] = recorded.Count, ["lastTimestamp"] = time };
            answer = await ClusterJson.SendAsync(controllerClient, HttpMethod.Patch, $"{events}/{Uri.EscapeDataString(recorded.Name)}", patch, "application/merge-patch+json", cancellationToken).ConfigureAwait(false);
        }

        // Not recorded before, or expired since (events live an hour): a new event, as client-go does.
        if (answer is null || answer.Status == System.Net.HttpStatusCode.NotFound)
        {
            recorded = new Recorded(string.Create(CultureInfo.InvariantCulture, $"{key.Name}.{(now - DateTime.UnixEpoch).Ticks * 100:x}"), 1);
            var body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = recorded.Name, ["namespace"] = key.Namespace },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = Berth.StackApi.StackApiGroup.ApiVersion(Berth.StackApi.StackApiGroup.V1Beta2),
                    ["kind"] = Berth.StackApi.StackApiGroup.Kind,
                    ["namespace"] = key.Namespace,
                    ["name"] = key.Name,
                    ["uid"] = uid,
                    ["resourceVersion"] = stack["metadata"]?["resourceVersion"]?.ToString(),
                },
                ["type"] = type,
                ["reason"] = reason,
                ["message"] = message,
                ["count"] = 1,
                ["firstTimestamp"] = time,
                ["lastTimestamp"] = time,
                ["source"] = new JsonObject { ["component"] = Component },
                ["reportingComponent"] = Component,
                ["reportingInstance"] = Environment.MachineName,
            };
            answer = await ClusterJson.SendAsync(controllerClient, HttpMethod.Post, events, body, null, cancellationToken).ConfigureAwait(false);
        }

        if (!answer.IsSuccess || recorded is null)
        {
            logger.LogWarning("stack {Stack}: the event {Reason} could not be recorded: {Message}", key, reason, answer.Message);
            return;
        }

        lock (_lock)
        {
            if (_recorded.Count >= MaxRemembered)
            {
                _recorded.Clear();
            }

            _recorded[(uid, type, reason, message)] = recorded;
        }
    }

    // A token bucket per stack; called under the lock.
    private bool Allowed(string uid, DateTime now)
    {
        var (tokens, at) = _buckets.TryGetValue(uid, out var bucket) ? bucket : (Burst, now);
        tokens = Math.Min(Burst, tokens + ((now - at) / RefillEvery));
        if (tokens < 1)
        {
            _buckets[uid] = (tokens, now);
            return false;
        }

        if (_buckets.Count >= MaxRemembered && !_buckets.ContainsKey(uid))
        {
            _buckets.Clear();
        }

        _buckets[uid] = (tokens - 1, now);
        return true;
    }
}
