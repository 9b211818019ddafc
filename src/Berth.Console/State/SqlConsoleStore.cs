using System.Data.Common;
using Berth.Console.Accounts;
using Berth.Console.Audit;

namespace Berth.Console.State;

/// <summary>
/// The console store on any ADO.NET provider: one short-lived connection per operation (the providers pool them), so
/// several requests and several console replicas share the database safely.
/// </summary>
internal abstract class SqlConsoleStore(SqlDialect dialect) : IConsoleStore
{
    private const string ScopeNamespace = "namespace";
    private const string ScopeStackPrefix = "stack-prefix";

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Serialises migrations between replicas (PostgreSQL: an advisory lock; SQLite: the write lock of the transaction).</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)", [], cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<long>();
        await using (var read = Command(connection, transaction, "SELECT version FROM schema_migrations", []))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        foreach (var (version, sql) in Schema.Steps(dialect))
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql, [], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version) VALUES (@version)", [("version", (long)version)], cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Account?> FindAccountAsync(string name, CancellationToken cancellationToken)
    {
        var accounts = await ReadAccountsAsync("WHERE name_key = @key", [("key", Key(name))], cancellationToken).ConfigureAwait(false);
        return accounts.Count == 0 ? null : accounts[0];
    }

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        ReadAccountsAsync("ORDER BY name_key", [], cancellationToken);

    public async Task<bool> AddAccountAsync(Account account, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var key = Key(account.Name);
        await using (var exists = Command(connection, transaction, "SELECT COUNT(*) FROM accounts WHERE name_key = @key", [("key", key)]))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return false;
            }
        }

        await ExecuteAsync(
            connection,
            transaction,
            """
            INSERT INTO accounts (name_key, name, role, password_hash, security_stamp, disabled, failed_sign_ins, locked_until, created_at)
            VALUES (@key, @name, @role, @hash, @stamp, @disabled, @failed, @locked, @created)
            """,
            [
                ("key", key), ("name", account.Name), ("role", ConsoleRoles.Name(account.Role)), ("hash", account.PasswordHash),
                ("stamp", account.SecurityStamp), ("disabled", account.Disabled ? 1L : 0L), ("failed", (long)account.FailedSignIns),
                ("locked", account.LockedUntil?.ToUnixTimeMilliseconds()), ("created", account.CreatedAt.ToUnixTimeMilliseconds()),
            ],
            cancellationToken).ConfigureAwait(false);
        foreach (var (kind, values) in new[] { (ScopeNamespace, account.Namespaces), (ScopeStackPrefix, account.StackPrefixes) })
        {
            foreach (var value in values.Distinct(StringComparer.Ordinal))
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO account_scopes (name_key, kind, value) VALUES (@key, @kind, @value)", [("key", key), ("kind", kind), ("value", value)], cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task RecordSignInAsync(string name, int failedSignIns, DateTimeOffset? lockedUntil, string? rehashedPassword, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            "UPDATE accounts SET failed_sign_ins = @failed, locked_until = @locked, password_hash = COALESCE(@hash, password_hash) WHERE name_key = @key",
            [("failed", (long)failedSignIns), ("locked", lockedUntil?.ToUnixTimeMilliseconds()), ("hash", rehashedPassword), ("key", Key(name))],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            "INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (@at, @actor, @action, @target, @result, @detail)",
            [("at", entry.At.ToUnixTimeMilliseconds()), ("actor", entry.Actor), ("action", entry.Action), ("target", entry.Target), ("result", entry.Result), ("detail", entry.Detail)],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT at, actor, action, target, result, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT @limit", [("limit", (long)limit)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return entries;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private static string Key(string name) => name.Trim().ToLowerInvariant();

    private async Task<IReadOnlyList<Account>> ReadAccountsAsync(string where, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var accounts = new List<(string Key, Account Account)>();
        await using (var command = Command(connection, null, $"SELECT name_key, name, role, password_hash, security_stamp, disabled, failed_sign_ins, locked_until, created_at FROM accounts {where}", parameters))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ConsoleRoles.TryParse(reader.GetString(2), out var role);
                accounts.Add((reader.GetString(0), new Account(
                    reader.GetString(1),
                    role,
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetInt64(5) != 0,
                    (int)reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)))));
            }
        }

        var result = new List<Account>(accounts.Count);
        foreach (var (key, account) in accounts)
        {
            var namespaces = new List<string>();
            var prefixes = new List<string>();
            await using (var command = Command(connection, null, "SELECT kind, value FROM account_scopes WHERE name_key = @key ORDER BY kind, value", [("key", key)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    (reader.GetString(0) == ScopeNamespace ? namespaces : prefixes).Add(reader.GetString(1));
                }
            }

            result.Add(account with { Namespaces = namespaces, StackPrefixes = prefixes });
        }

        return result;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // The SQL text is the store's own constant; every value goes in as a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
