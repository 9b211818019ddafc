using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>A service as the stack page shows it: replicas as docker prints them (<c>1/2</c>, <c>global</c> per node).</summary>
internal sealed record ServiceRow(string Name, string Mode, string Replicas, string Image, string Ports, bool Scalable, ulong Desired);

/// <summary>A task (Swarm) or pod (Kubernetes): its node, desired and current state, since when, the error or reason, restarts.</summary>
internal sealed record TaskRow(string Name, string Node, string DesiredState, string State, string Since, string Error, string Restarts);

/// <summary>What the stack page shows and its event stream sends every time it changes; <see cref="Problem"/> when the read failed.</summary>
internal sealed record StackDetailSnapshot(ImmutableArray<ServiceRow> Services, ImmutableArray<TaskRow> Tasks, string? Problem)
{
    /// <summary>One read of the stack's services and tasks, both through the stack service as <c>berth stack services|ps</c> read them.</summary>
    public static async Task<StackDetailSnapshot> ReadAsync(IStackService service, string stack, CancellationToken cancellationToken)
    {
        try
        {
            var services = service.ServicesAsync(stack, [], cancellationToken);
            var tasks = service.TasksAsync(stack, [], cancellationToken);
            return new StackDetailSnapshot([.. (await services.ConfigureAwait(false)).Select(Row)], [.. (await tasks.ConfigureAwait(false)).Select(Row)], null);
        }
        catch (Exception e) when (e is StackOrchestratorException or HttpRequestException or IOException or TimeoutException)
        {
            return new StackDetailSnapshot([], [], e.Message);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, StackDetailJson.Default.StackDetailSnapshot);

    private static ServiceRow Row(StackServiceInfo s)
    {
        var replicas = s.Replicas.Job is { } job ? $"{job.Completed}/{job.Total} completed" : $"{s.Replicas.Running}/{s.Replicas.Desired}";
        // Every service but a job gets the scale form: a global service's refusal is the stack service's to word.
        return new ServiceRow(s.Name, s.Mode, replicas, s.Image, s.Ports, s.Replicas.Job is null, s.Replicas.Desired);
    }

    private static TaskRow Row(StackTaskInfo t) => new(
        t.Name,
        t.Node,
        t.DesiredState,
        t.State,
        t.StateSince is { } since ? since.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : string.Empty,
        t.Error,
        t.Restarts is { } restarts ? restarts.ToString(CultureInfo.InvariantCulture) : string.Empty);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StackDetailSnapshot))]
[JsonSerializable(typeof(StackLogLine))]
internal sealed partial class StackDetailJson : JsonSerializerContext;
