using System.Collections.Immutable;
using Berth.Compose.Output;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// What the edit page of an existing stack opens with (as Portainer's editor does): the Compose file of the stack's
/// current revision as its history keeps it, with the configs' files the history keeps; or, in
/// <see cref="Problem"/>, why it cannot (no history: deployed by <c>docker stack deploy</c>; a record this Berth cannot
/// read; a secret's file gone). <see cref="Revision"/>: the revision it was read from.
/// </summary>
internal sealed record StackEditPrefill(DeployInput? Input, StackRevision? Revision, string? Problem)
{
    /// <summary>
    /// Reads the latest readable revision through the stack service (<c>PrepareRollbackAsync</c>, as the history's diff
    /// does). The history keeps the project after interpolation, so the <c>.env</c> values are part of the file and the
    /// <c>.env</c> field opens empty; files the project named in the folder it was loaded from (the console's scratch
    /// folder) are written <c>./name</c> again, and the configs' contents become the draft's kept files. Secrets'
    /// contents are never kept by the history: they must be chosen again.
    /// </summary>
    public static async Task<StackEditPrefill> ReadAsync(StackDetailTarget target, CancellationToken cancellationToken)
    {
        var name = target.Address.Name;
        try
        {
            var history = await target.Service.HistoryAsync(name, cancellationToken).ConfigureAwait(false);
            if (history.Revisions.LastOrDefault(r => r.Unreadable is null) is not { } latest)
            {
                return new StackEditPrefill(null, null, history.Revisions.IsEmpty
                    ? $"stack {name} has no history: it was deployed by 'docker stack deploy' or by a Berth without history, so its Compose file is not known here"
                    : $"the revisions of stack {name} were written by a newer Berth and cannot be read here");
            }

            var revision = await target.Service.PrepareRollbackAsync(name, latest.Revision, cancellationToken).ConfigureAwait(false);
            var project = revision.Request.Project;
            var folder = project.WorkingDirectory.TrimEnd('/') + "/";
            var compose = CanonicalYamlWriter.Write(project.Root).Replace(folder, "./", StringComparison.Ordinal);
            ImmutableArray<SubmittedFile> files = [.. (revision.Request.ResourceContents ?? ImmutableDictionary<string, ImmutableArray<byte>>.Empty)
                .Where(f => f.Key.StartsWith(folder, StringComparison.Ordinal))
                .OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => new SubmittedFile(DeployLoader.SafeName(f.Key), f.Value))];
            var input = new DeployInput(name, target.Address.Orchestrator, target.Address.Namespace, compose, string.Empty) { ResourceFiles = files };
            return new StackEditPrefill(input, latest, null);
        }
        catch (Exception e) when (e is StackHistoryException or StackOrchestratorException or HttpRequestException or IOException or TimeoutException)
        {
            return new StackEditPrefill(null, null, e.Message);
        }
    }
}
