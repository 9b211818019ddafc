using System.Net;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// The stacks page on the real Docker engine in Swarm mode (CI starts it: scripts/setup-swarm.sh): a stack deployed by
/// the docker CLI itself is listed, within the account's scope only.
/// </summary>
public sealed class StacksPageTests : IAsyncLifetime
{
    private const string Docker = "/usr/bin/docker";

    private readonly string _stack = $"console-{Guid.NewGuid():N}"[..20];
    private readonly string _folder = Directory.CreateTempSubdirectory("berth-console-stack-").FullName;
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
        await _server.AddAccountAsync("scoped", ConsoleRole.Viewer, stackPrefixes: ["shop-"], cancellationToken: Ct);
        var compose = Path.Combine(_folder, "compose.yaml");
        await File.WriteAllTextAsync(compose, "version: \"3.8\"\nservices:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n  worker:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n", Ct);
        var deploy = ToolProcess.Run(Docker, ["stack", "deploy", "--resolve-image", "never", "-c", compose, _stack], withoutAmbient: true);
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        ToolProcess.Run(Docker, ["stack", "rm", _stack], withoutAmbient: true);
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AStackDeployedByTheDockerCli_IsListed_WithItsServices_AndFoundBySearch()
    {
        using var client = _server.Client();
        (await ConsoleServer.SignInAsync(client, "olga", ConsoleServer.Password, Ct)).Dispose();

        var all = await client.GetStringAsync("/stacks", Ct);
        var searched = await client.GetStringAsync($"/stacks?q={_stack[..12].ToUpperInvariant()}&orchestrator=swarm", Ct);
        var kubernetesOnly = await client.GetStringAsync($"/stacks?q={_stack}&orchestrator=kubernetes", Ct);

        Assert.Contains($"<td><a href=\"/stacks/swarm/_/{_stack}\">{_stack}</a></td>\n                    <td>Swarm</td>\n                    <td></td>\n                    <td>2</td>", all, StringComparison.Ordinal);
        Assert.Contains($">{_stack}</a></td>", searched, StringComparison.Ordinal);
        Assert.DoesNotContain($">{_stack}</a></td>", kubernetesOnly, StringComparison.Ordinal);
        Assert.DoesNotContain("Swarm: ", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAccountLimitedToOtherPrefixes_DoesNotSeeTheStack()
    {
        using var client = _server.Client();
        (await ConsoleServer.SignInAsync(client, "scoped", ConsoleServer.Password, Ct)).Dispose();

        using var answer = await client.GetAsync("/stacks", Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.DoesNotContain(_stack, await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
