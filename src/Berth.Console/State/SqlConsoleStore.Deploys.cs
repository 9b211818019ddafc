namespace Berth.Console.State;

/// <summary>The drafts and deploy jobs replicas share (schema step 3).</summary>
internal abstract partial class SqlConsoleStore
{
    public async Task PutDraftAsync(StoredDraft draft, DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "DELETE FROM deploy_drafts WHERE created_at < @expired", [("expired", expiredBefore.ToUnixTimeMilliseconds())], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            "INSERT INTO deploy_drafts (id, account_key, created_at, payload) VALUES (@id, @account, @created, @payload)",
            [("id", draft.Id), ("account", Key(draft.Account)), ("created", draft.CreatedAt.ToUnixTimeMilliseconds()), ("payload", draft.ProtectedPayload)],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredDraft?> FindDraftAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT id, account_key, created_at, payload FROM deploy_drafts WHERE id = @id", [("id", id)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredDraft(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3))
            : null;
    }

    public async Task<bool> StartDeployJobAsync(StoredDeployJob job, DateTimeOffset abandonedBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One statement, so two replicas starting the same stack's deploy at once cannot both win: the row is inserted,
        // or replaced only when the job it holds has finished or was abandoned (0 rows otherwise, on both databases).
        await using var command = Command(
            connection,
            null,
            """
            INSERT INTO deploy_jobs (stack_path, job_id, actor, started_at, finished_at, events)
            VALUES (@path, @job, @actor, @started, NULL, @events)
            ON CONFLICT (stack_path) DO UPDATE SET job_id = excluded.job_id, actor = excluded.actor, started_at = excluded.started_at, finished_at = NULL, events = excluded.events
            WHERE deploy_jobs.finished_at IS NOT NULL OR deploy_jobs.started_at < @abandoned
            """,
            [("path", job.StackPath), ("job", job.JobId), ("actor", job.Actor), ("started", job.StartedAt.ToUnixTimeMilliseconds()), ("events", job.EventsJson), ("abandoned", abandonedBefore.ToUnixTimeMilliseconds())]);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task FinishDeployJobAsync(string stackPath, string jobId, DateTimeOffset finishedAt, string eventsJson, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            "UPDATE deploy_jobs SET finished_at = @finished, events = @events WHERE stack_path = @path AND job_id = @job",
            [("finished", finishedAt.ToUnixTimeMilliseconds()), ("events", eventsJson), ("path", stackPath), ("job", jobId)],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredDeployJob?> FindDeployJobAsync(string stackPath, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT stack_path, job_id, actor, started_at, finished_at, events FROM deploy_jobs WHERE stack_path = @path", [("path", stackPath)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredDeployJob(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.GetString(5))
            : null;
    }
}
