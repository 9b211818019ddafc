using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Berth.Console.State;

/// <summary>The default store: <c>console.db</c> in the console's data folder.</summary>
internal sealed class SqliteConsoleStore(string path) : SqlConsoleStore(SqlDialect.Sqlite)
{
    public const string FileName = "console.db";

    // Pooling keeps the file open between operations; a busy timeout waits for another writer (a second process
    // such as `berth-console users add` while the console runs) instead of failing with SQLITE_BUSY.
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
        ForeignKeys = true,
    }.ToString();

    public static SqliteConsoleStore InDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, FileName));

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var pragma = connection.CreateCommand())
        {
            // WAL: readers do not block the writer, which a console with several open pages needs.
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    protected override void Dispose(bool disposing) => SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
}
