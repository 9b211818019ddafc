using System.Collections.Immutable;
using System.Globalization;
using Berth.StackService.History;
using Berth.Stacks;
using Berth.Stacks.Events;
using Berth.Swarm.Apply;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.StackService.Swarm;

/// <summary>
/// History on Swarm: one config per revision, <c>&lt;stack&gt;_berth-revision-&lt;n&gt;</c>, labelled with the stack
/// (so <c>docker stack rm</c> and <c>berth stack rm</c> remove it with the stack) and with
/// <see cref="StackRevisionLabels.Revision"/>; mounted by no service.
/// </summary>
internal sealed partial class SwarmStackService
{
    /// <summary>The engine refuses a config over 500 KB (<c>MaxConfigSize</c> in swarmkit).</summary>
    private const int ConfigLimit = 500 * 1024;

    public Task<StackHistoryResult> HistoryAsync(string stack, CancellationToken cancellationToken) => RunAsync(async client =>
    {
        var stored = await ReadHistoryAsync(client, stack, cancellationToken).ConfigureAwait(false);
        var exists = !stored.IsEmpty || await StackExistsAsync(client, stack, cancellationToken).ConfigureAwait(false);
        return new StackHistoryResult(stack, [.. stored.Select(s => s.Revision)], exists);
    }, cancellationToken);

    public Task<StackRollbackTarget> PrepareRollbackAsync(string stack, int? revision, CancellationToken cancellationToken) => RunAsync(async client =>
    {
        var stored = await ReadHistoryAsync(client, stack, cancellationToken).ConfigureAwait(false);
        var exists = !stored.IsEmpty || await StackExistsAsync(client, stack, cancellationToken).ConfigureAwait(false);
        var record = StoredRevision.Select(stack, stored, revision, exists);
        return new StackRollbackTarget(RevisionCodec.Describe(record), RevisionHistory.ToRequest(record, environment));
    }, cancellationToken);

    /// <summary>
    /// After a successful deploy: stores the next revision (unless nothing changed since the latest) and removes the
    /// oldest beyond <see cref="StackDeployRequest.HistoryMax"/>. A failure here is a warning: the deploy itself succeeded.
    /// </summary>
    private async Task<int?> RecordAsync(IDockerClient client, StackDeployRequest request, StackDeployResult result, IStackEventSink events, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await ReadHistoryAsync(client, request.Stack, cancellationToken).ConfigureAwait(false);
            int? recorded = null;
            if (request.HistoryMax > 0)
            {
                var next = stored.IsEmpty ? 1 : stored[^1].Number + 1;
                var record = RevisionHistory.Build(request, Orchestrator, next, DateTime.UtcNow);
                if (result.Writes == 0 && RevisionHistory.SameAs(record, stored.IsEmpty ? null : stored[^1].Record))
                {
                    return null;
                }

                var (data, kept) = RevisionHistory.Fit(record, ConfigLimit);
                if (data is null)
                {
                    events.Publish(new StackWarning($"history: revision {next} of stack {request.Stack} was not recorded: {kept.Omitted} and the project alone is still too large"));
                    return null;
                }

                if (kept.Omitted is { } omitted)
                {
                    events.Publish(new StackWarning($"history: revision {next} keeps no {omitted}; a rollback to it needs the same config files"));
                }

                var name = $"{request.Stack}_berth-revision-{next.ToString(CultureInfo.InvariantCulture)}";
                await SwarmEngine.CallAsync(client, c => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters
                {
                    Config = new SwarmConfigSpec
                    {
                        Name = name,
                        Labels = new Dictionary<string, string>
                        {
                            [StackLabels.StackNamespace] = request.Stack,
                            [StackRevisionLabels.Revision] = next.ToString(CultureInfo.InvariantCulture),
                        },
                        Data = data,
                    },
                }, cancellationToken)).ConfigureAwait(false);
                recorded = next;
                stored = stored.Add(new StoredRevision(next, string.Empty, name, kept, RevisionCodec.Describe(kept)));
            }

            foreach (var old in stored.Take(Math.Max(0, stored.Length - request.HistoryMax)))
            {
                await SwarmEngine.CallAsync(client, c => c.Configs.RemoveConfigAsync(old.Id, cancellationToken)).ConfigureAwait(false);
            }

            return recorded;
        }
        catch (Exception ex) when (ex is DockerApiException or SwarmEngineException)
        {
            events.Publish(new StackWarning($"history: the revision of stack {request.Stack} was not recorded: {ex.Message.Split('\n')[0]}"));
            return null;
        }
    }

    /// <summary>One list of the engine's configs (it sends their data too), the stack's revisions oldest first.</summary>
    private static async Task<ImmutableArray<StoredRevision>> ReadHistoryAsync(IDockerClient client, string stack, CancellationToken cancellationToken)
    {
        var configs = await SwarmEngine.CallAsync(client, c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        return
        [
            .. configs
                .Where(c => StackOwnership.Owned(c.Spec?.Labels, stack))
                .Select(c => StoredRevision.From(c.ID, c.Spec!.Name ?? string.Empty, c.Spec.Labels, c.Spec.Data as IReadOnlyCollection<byte>))
                .OfType<StoredRevision>()
                .OrderBy(s => s.Number),
        ];
    }

    private static async Task<bool> StackExistsAsync(IDockerClient client, string stack, CancellationToken cancellationToken)
    {
        var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabels.StackNamespace}={stack}"] = true } },
        }, cancellationToken)).ConfigureAwait(false);
        return services.Count > 0;
    }
}
