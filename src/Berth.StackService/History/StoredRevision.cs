using System.Collections.Immutable;
using System.Globalization;

namespace Berth.StackService.History;

/// <summary>A revision as an orchestrator stores it: its object (id, name), its number and the decoded record (null when unreadable).</summary>
internal sealed record StoredRevision(int Number, string Id, string Name, RevisionRecord? Record, StackRevision Revision)
{
    public static StoredRevision? From(string id, string name, IDictionary<string, string>? labels, IReadOnlyCollection<byte>? data)
    {
        if (labels is null || !labels.TryGetValue(Berth.Stacks.StackRevisionLabels.Revision, out var label)
            || !int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var (record, unreadable) = RevisionCodec.Decode(data ?? []);
        var revision = record is not null && record.Revision == number
            ? RevisionCodec.Describe(record)
            : new StackRevision(number, default, string.Empty, string.Empty) { Unreadable = unreadable ?? "the record's number differs from its label" };
        return new StoredRevision(number, id, name, revision.Unreadable is null ? record : null, revision);
    }

    /// <summary>The revision a rollback deploys: the one asked for, or the one before the latest.</summary>
    public static RevisionRecord Select(string stack, ImmutableArray<StoredRevision> stored, int? wanted, bool stackExists)
    {
        if (stored.IsEmpty)
        {
            throw NoHistory(stack, stackExists);
        }

        var target = wanted is { } n
            ? stored.FirstOrDefault(s => s.Number == n)
              ?? throw new StackHistoryException($"stack {stack} has no revision {n}", $"the revisions kept are {string.Join(", ", stored.Select(s => s.Number))}; see 'berth stack history {stack}'")
            : stored.Length >= 2 ? stored[^2]
              : throw new StackHistoryException($"stack {stack} has only one revision ({stored[0].Number}): there is no previous one to roll back to", null);
        return target.Record ?? throw new StackHistoryException($"revision {target.Number} of stack {stack} cannot be read: {target.Revision.Unreadable}", "upgrade Berth to the version that wrote it");
    }

    public static StackHistoryException NoHistory(string stack, bool stackExists) => stackExists
        ? new StackHistoryException($"stack {stack} has no history: it was deployed by 'docker stack deploy' or by a Berth without history", "the next 'berth stack deploy' records its first revision")
        : new StackHistoryException($"stack {stack} not found", null);
}
