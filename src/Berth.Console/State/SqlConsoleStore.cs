using System.Data.Common;
using Berth.Console.Accounts;
using Berth.Console.Audit;

namespace Berth.Console.State;

/// <summary>
/// The console store on any ADO.NET provider: one short-lived connection per operation (the providers pool them), so
/// several requests and several console replicas share the database safely.
/// </summary>
internal abstract partial class SqlConsoleStore(SqlDialect dialect) : IConsoleStore
{
    private const string ScopeNamespace = "namespace";
    private const string ScopeStackPrefix = "stack-prefix";

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Serialises migrations between replicas (PostgreSQL: an advisory lock; SQLite: the write lock of the transaction).</summary>
    protected virtual Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises account changes, so the "an enabled admin is left" check holds across replicas (SQLite: the transaction's write lock).</summary>
    protected virtual Task LockAccountsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

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
        await InsertScopesAsync(connection, transaction, key, account, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<AccountUpdate> UpdateAccountAsync(Account account, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAccountsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var key = Key(account.Name);
        await using (var update = Command(
            connection,
            transaction,
            """
            UPDATE accounts SET role = @role, password_hash = @hash, security_stamp = @stamp, disabled = @disabled,
              failed_sign_ins = @failed, locked_until = @locked
            WHERE name_key = @key
            """,
            [
                ("role", ConsoleRoles.Name(account.Role)), ("hash", account.PasswordHash), ("stamp", account.SecurityStamp),
                ("disabled", account.Disabled ? 1L : 0L), ("failed", (long)account.FailedSignIns), ("locked", account.LockedUntil?.ToUnixTimeMilliseconds()), ("key", key),
            ]))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return AccountUpdate.NotFound;
            }
        }

        await using (var admins = Command(connection, transaction, "SELECT COUNT(*) FROM accounts WHERE role = @admin AND disabled = 0", [("admin", ConsoleRoles.Name(ConsoleRole.Admin))]))
        {
            if (Convert.ToInt64(await admins.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return AccountUpdate.NoEnabledAdminLeft;
            }
        }

        await ExecuteAsync(connection, transaction, "DELETE FROM account_scopes WHERE name_key = @key", [("key", key)], cancellationToken).ConfigureAwait(false);
        await InsertScopesAsync(connection, transaction, key, account, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return AccountUpdate.Updated;
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
        return await ReadAuditEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<AuditEntry>> ReadAuditEntriesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return entries;
    }

    private static async Task InsertScopesAsync(DbConnection connection, DbTransaction transaction, string key, Account account, CancellationToken cancellationToken)
    {
        foreach (var (kind, values) in new[] { (ScopeNamespace, account.Namespaces), (ScopeStackPrefix, account.StackPrefixes) })
        {
            foreach (var value in values.Distinct(StringComparer.Ordinal))
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO account_scopes (name_key, kind, value) VALUES (@key, @kind, @value)", [("key", key), ("kind", kind), ("value", value)], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        // Only the clauses of the filters given: PostgreSQL cannot type a parameter that is only ever compared with NULL.
        var clauses = new List<string>();
        var parameters = new List<(string, object?)>();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            clauses.Add("LOWER(actor) = @actor");
            parameters.Add(("actor", query.Actor.Trim().ToLowerInvariant()));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            clauses.Add("(action = @action OR SUBSTR(action, 1, @familyLength) = @family)");
            var action = query.Action.Trim();
            parameters.Add(("action", action));
            parameters.Add(("family", action + "."));
            parameters.Add(("familyLength", action.Length + 1));
        }

        if (!string.IsNullOrWhiteSpace(query.Result))
        {
            clauses.Add("result = @result");
            parameters.Add(("result", query.Result.Trim()));
        }

        if (query.From is { } from)
        {
            clauses.Add("at >= @from");
            parameters.Add(("from", from.ToUnixTimeMilliseconds()));
        }

        if (query.To is { } to)
        {
            clauses.Add("at < @to");
            parameters.Add(("to", to.ToUnixTimeMilliseconds()));
        }

        // One row more than the page: whether another page follows, without counting them all.
        parameters.Add(("limit", (long)query.Limit + 1));
        parameters.Add(("offset", (long)query.Offset));
        var where = clauses.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", clauses);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT at, actor, action, target, result, detail FROM audit_log {where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset", [.. parameters]);
        var entries = await ReadAuditEntriesAsync(command, cancellationToken).ConfigureAwait(false);
        return entries.Count > query.Limit ? new AuditPage(entries[..query.Limit], HasMore: true) : new AuditPage(entries, HasMore: false);
    }

    public async Task<IReadOnlyList<string>> ReadDataProtectionKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT xml FROM data_protection_keys ORDER BY name", []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public async Task StoreDataProtectionKeyAsync(string name, string xml, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml)", [("name", name), ("xml", xml)], cancellationToken).ConfigureAwait(false);
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
