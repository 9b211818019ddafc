using System.Data.Common;
using Npgsql;

namespace Berth.Console.State;

/// <summary>
/// The store for several console replicas: one PostgreSQL database (<c>berth-console --database CONNECTION</c>) holds
/// the accounts, the audit log and the Data Protection key ring, so any replica serves any session.
/// </summary>
internal sealed class PostgresConsoleStore(string connectionString) : SqlConsoleStore(SqlDialect.PostgreSql)
{
    // Any fixed 64-bit numbers; they only have to differ from other applications' advisory locks on the same database.
    private const long MigrationLock = 0x4265727468_01;
    private const long AccountsLock = 0x4265727468_02;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <summary>Where the store is, for messages: host, port, database and user, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var parts = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL database {parts.Database ?? "(default)"} on {parts.Host ?? "localhost"}:{parts.Port} as {parts.Username ?? "(default user)"}";
    }

    /// <summary>Why the text is not a connection string Npgsql accepts, or null; the text itself is never repeated (it may hold a password).</summary>
    public static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException)
        {
            return "--database: not a PostgreSQL connection string (expected Host=…;Database=…;Username=…)";
        }
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    // Two replicas starting at once: the second waits here until the first has committed, then finds nothing to do.
    protected override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, MigrationLock, cancellationToken);

    // Two admins on two replicas demoting the last two admins at once: one waits, then sees the other's change.
    protected override Task LockAccountsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        AdvisoryLockAsync(connection, transaction, AccountsLock, cancellationToken);

    protected override void Dispose(bool disposing) => _dataSource.Dispose();

    private static async Task AdvisoryLockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(@key)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@key";
        parameter.Value = key;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
