using System.Collections.Immutable;
using System.Globalization;
using Berth.StackService.History;
using Berth.Stacks;
using Berth.Stacks.Events;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
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
    private async Task<int?> RecordAsync(EngineClient client, StackDeployRequest request, StackDeployResult result, IStackEventSink events, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await ReadHistoryAsync(client, request.Stack, cancellationToken).ConfigureAwait(false);
            if (RevisionHistory.Plan(request, Orchestrator, result, stored, ConfigLimit, events) is not { } plan)
            {
                return null;
            }

            if (plan.Add is { } add)
            {
                var number = add.Number.ToString(CultureInfo.InvariantCulture);
                await SwarmEngine.CallAsync(client, c => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters
                {
                    Config = new SwarmConfigSpec
                    {
                        Name = $"{request.Stack}_berth-revision-{number}",
                        Labels = new Dictionary<string, string>
                        {
                            [StackLabels.StackNamespace] = request.Stack,
                            [StackRevisionLabels.Revision] = number,
                        },
                        Data = add.Data,
                    },
                }, cancellationToken)).ConfigureAwait(false);
            }

            foreach (var old in plan.Remove)
            {
                await SwarmEngine.CallAsync(client, c => c.Configs.RemoveConfigAsync(old.Id, cancellationToken)).ConfigureAwait(false);
            }

            return plan.Add?.Number;
        }
        catch (Exception ex) when (ex is DockerApiException or SwarmEngineException)
        {
            events.Publish(new StackWarning($"history: the revision of stack {request.Stack} was not recorded: {ex.Message.Split('\n')[0]}"));
            return null;
        }
    }

    /// <summary>One list of the engine's configs (it sends their data too), the stack's revisions oldest first.</summary>
    private static async Task<ImmutableArray<StoredRevision>> ReadHistoryAsync(EngineClient client, string stack, CancellationToken cancellationToken)
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

    private static async Task<bool> StackExistsAsync(EngineClient client, string stack, CancellationToken cancellationToken)
    {
        var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabels.StackNamespace}={stack}"] = true } },
        }, cancellationToken)).ConfigureAwait(false);
        return services.Count > 0;
    }
}
