namespace Berth.Console.State;

/// <summary>
/// A review's submission as the store keeps it between the review and the deploy, so any replica can deploy it: the
/// account it belongs to, when it was made, and the submission itself encrypted with Data Protection
/// (<see cref="Stacks.DeployDrafts"/>), since it may carry the files secrets are made from.
/// </summary>
internal sealed record StoredDraft(string Id, string Account, DateTimeOffset CreatedAt, string ProtectedPayload);

/// <summary>
/// The newest deploy job of a stack as the store keeps it: which job (its id), who started it and when, and once it
/// has finished, when and its events as JSON (<see cref="Stacks.DeployJobEvent"/>), so its result is read on every
/// replica; while it runs, the events stay with the replica that runs it.
/// </summary>
internal sealed record StoredDeployJob(string StackPath, string JobId, string Actor, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string EventsJson);
