using System.Diagnostics;
using System.Globalization;
using Berth.Testing;
using Npgsql;

namespace Berth.Console.Tests;

/// <summary>
/// A real, throw-away PostgreSQL 15 (Debian's packages, installed by scripts/setup-postgres.sh) for one test class:
/// <c>initdb</c> into a temp folder, the server on a free 127.0.0.1 port with its socket in that folder, password
/// authentication for a test superuser; no system cluster is touched. The tests run as root, which PostgreSQL
/// refuses, so initdb and the server run as the <c>postgres</c> user through setpriv (which execs, so the process id
/// is the server's). Disposing stops it by that id (fast shutdown) and deletes the folder.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Bin = "/usr/lib/postgresql/15/bin";
    public const string User = "berth";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private string _folder = null!;
    private int _port;
    private ServerProcess? _server;

    /// <summary>The superuser's password: random per server, so a test can search output for it.</summary>
    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = User,
        Password = Password,
        Database = database,
        Pooling = true,
    }.ToString();

    /// <summary>A new empty database, so each test starts from nothing; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return ConnectionString(name);
    }

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Path.Combine(Bin, "initdb")), $"{Bin}/initdb is missing: run scripts/setup-postgres.sh (scripts/test.sh does)");
        _folder = Directory.CreateTempSubdirectory("berth-postgres-").FullName;
        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (AsRoot)
        {
            var chown = ToolProcess.Run("chown", ["-R", "postgres:postgres", _folder]);
            Assert.True(chown.ExitCode == 0, chown.ToString());
        }

        var initdb = ToolProcess.Run(
            AsRoot ? "setpriv" : Path.Combine(Bin, "initdb"),
            [.. AsPostgres(Path.Combine(Bin, "initdb")), "-D", Path.Combine(_folder, "data"), "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-sync", "--no-instructions"],
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(initdb.ExitCode == 0, initdb.ToString());
        File.Delete(passwordFile);

        _server = await ServerProcess.StartOnFreePortAsync(
            () =>
            {
                _port = FreePort.Loopback();
                return new ServerProcess("PostgreSQL", StartInfo());
            },
            (server, ct) => server.StartAsync(AcceptsConnectionAsync, ct, StartTimeout, TimeSpan.FromMilliseconds(100)),
            "could not bind",
            TestContext.Current.CancellationToken);
    }

    private static string[] AsPostgres(string program) =>
        AsRoot ? ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--reset-env", "--", program] : [];

    private ProcessStartInfo StartInfo()
    {
        var start = new ProcessStartInfo(AsRoot ? "setpriv" : Path.Combine(Bin, "postgres")) { WorkingDirectory = _folder };
        string[] args =
        [
            .. AsPostgres(Path.Combine(Bin, "postgres")),
            "-D", Path.Combine(_folder, "data"),
            "-p", _port.ToString(CultureInfo.InvariantCulture),
            "-k", _folder,
            "-c", "listen_addresses=127.0.0.1",
            // A test server: no durability, little memory (the machine is shared).
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "shared_buffers=16MB",
            "-c", "max_connections=100",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private async Task<bool> AcceptsConnectionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=2");
        await connection.OpenAsync(cancellationToken);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { } server)
        {
            if (server.ProcessId is { } id)
            {
                // SIGINT: PostgreSQL's fast shutdown (ends the sessions, stops its child processes); killed if it hangs.
                ToolProcess.Run("kill", ["-INT", id.ToString(CultureInfo.InvariantCulture)]);
                await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }

            await server.DisposeAsync();
        }

        TempFolders.DeleteQuietly(_folder);
    }
}
