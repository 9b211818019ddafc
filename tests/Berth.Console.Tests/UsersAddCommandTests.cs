using System.Net;
using Berth.Console.Accounts;
using Berth.Console.State;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>The berth-console executable: <c>users add</c> (password from standard input) and the server's start-up lines.</summary>
public sealed class UsersAddCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("berth-console-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private static ToolResult BerthConsole(string? input, params string[] args) =>
        ToolProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "berth-console.dll"), .. args], input: input, timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task UsersAdd_ReadsThePasswordFromStandardInput_AndStoresOnlyItsHash()
    {
        var result = BerthConsole(ConsoleServer.Password + "\n", "users", "add", "alice", "--role", "admin", "--data-dir", _data, "--stack-prefix", "shop-");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("account alice (admin) added", result.Stdout, StringComparison.Ordinal);
        using var store = SqliteConsoleStore.InDataDirectory(_data);
        var account = await store.FindAccountAsync("ALICE", Ct);
        Assert.NotNull(account);
        Assert.Equal(ConsoleRole.Admin, account.Role);
        Assert.Equal(["shop-"], account.StackPrefixes);
        Assert.DoesNotContain(ConsoleServer.Password, account.PasswordHash, StringComparison.Ordinal);
        Assert.Contains(await store.ReadAuditAsync(10, Ct), e => e is { Action: "account.add", Target: "alice", Result: "ok" });
        Assert.DoesNotContain(ConsoleServer.Password, await File.ReadAllTextAsync(Path.Combine(_data, SqliteConsoleStore.FileName), Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short\n", new[] { "users", "add", "bob", "--role", "viewer" }, 1, "the password must have at least 12 characters")]
    [InlineData("", new[] { "users", "add", "bob", "--role", "viewer" }, 1, "no password on standard input")]
    [InlineData("long enough password\n", new[] { "users", "add", "-bob", "--role", "viewer" }, 1, "an account name is 1 to 64 letters")]
    [InlineData("long enough password\n", new[] { "users", "add", "bob", "--role", "boss" }, 2, "--role")]
    [InlineData("long enough password\n", new[] { "users", "add", "bob" }, 2, "--role")]
    public async Task UsersAdd_RefusesBadInput_WithAClearMessage_AndAddsNothing(string input, string[] args, int exitCode, string message)
    {
        var result = BerthConsole(input, [.. args, "--data-dir", _data]);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        if (File.Exists(Path.Combine(_data, SqliteConsoleStore.FileName)))
        {
            using var store = SqliteConsoleStore.InDataDirectory(_data);
            Assert.Empty(await store.ListAccountsAsync(Ct));
        }
    }

    [Fact]
    public void UsersAdd_RefusesANameTakenInAnotherCase()
    {
        Assert.Equal(0, BerthConsole(ConsoleServer.Password + "\n", "users", "add", "alice", "--role", "admin", "--data-dir", _data).ExitCode);

        var again = BerthConsole(ConsoleServer.Password + "\n", "users", "add", "Alice", "--role", "viewer", "--data-dir", _data);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("an account named \"Alice\" exists already", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServer_PrintsItsUrl_AndHowToCreateTheFirstAdmin_ThenServesTheLoginPage()
    {
        var port = FreePort.Loopback();
        using var process = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "berth-console.dll"), "--urls", $"http://127.0.0.1:{port}", "--data-dir", _data },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        try
        {
            var lines = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!lines.Any(l => l.Contains("listening on", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                var line = await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
                if (line is null)
                {
                    break;
                }

                lines.Add(line);
            }

            Assert.Contains($"berth-console: listening on http://127.0.0.1:{port}", lines);
            Assert.Contains(lines, l => l.Contains($"create the first admin with: berth-console users add NAME --role admin --data-dir {_data}", StringComparison.Ordinal));
            using var http = new HttpClient();
            using var login = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/login"), Ct);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }
}
