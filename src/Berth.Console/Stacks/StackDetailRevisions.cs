using Berth.Compose.Output;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>The Compose file a revision keeps (its canonical project, as <c>berth config</c> prints it), read through the stack service.</summary>
internal static class StackDetailRevisions
{
    /// <summary>Revision <paramref name="revision"/>'s project; a <see cref="StackHistoryException"/> when there is no such revision or it cannot be read.</summary>
    public static async Task<string> ComposeTextAsync(IStackService service, string stack, int revision, CancellationToken cancellationToken)
    {
        var target = await service.PrepareRollbackAsync(stack, revision, cancellationToken).ConfigureAwait(false);
        return CanonicalYamlWriter.Write(target.Request.Project.Root);
    }
}
