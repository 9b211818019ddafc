using System.Net;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// Deploys through the console's form endpoints on the real Docker engine in Swarm mode: a two-service stack
/// converges with per-service progress over server-sent events, replayed to a page opened later, and audited; a
/// service whose command exits 1 ends the deploy with its failure reason. Every stack is removed afterwards.
/// </summary>
public sealed class DeploySwarmTests : IAsyncLifetime
{
    private const string Docker = "/usr/bin/docker";

    private readonly List<string> _stacks = [];
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stack in _stacks)
        {
            ToolProcess.Run(Docker, ["stack", "rm", stack], withoutAmbient: true);
        }

        await _server.DisposeAsync();
    }

    private string NewStack()
    {
        var stack = $"cd-{Guid.NewGuid():N}"[..16];
        _stacks.Add(stack);
        return stack;
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = _server.Client();
        (await ConsoleServer.SignInAsync(client, "olga", ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    [Fact]
    public async Task ATwoServiceStack_Deploys_WithProgressOverSse_ReplayedLater_AndAudited()
    {
        using var client = await SignedInAsync();
        var stack = NewStack();
        var (status, review) = await DeployForm.ReviewAsync(client, stack, DeployForm.TwoServices(), Ct);
        Assert.Equal(HttpStatusCode.OK, status);
        var draft = DeployForm.DraftOf(review);

        using var deploy = await DeployForm.DeployAsync(client, draft, Ct);
        using var second = await DeployForm.DeployAsync(client, draft, Ct);
        var events = await DeployForm.EventsUntilDoneAsync(client, $"/stacks/swarm/_/{stack}", TimeSpan.FromMinutes(3), Ct);
        var page = await client.GetStringAsync($"/stacks/swarm/_/{stack}/deploy", Ct);
        var replayed = await DeployForm.EventsUntilDoneAsync(client, $"/stacks/swarm/_/{stack}", TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HttpStatusCode.Redirect, deploy.StatusCode);
        Assert.Equal($"/stacks/swarm/_/{stack}/deploy", deploy.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var done = events[^1];
        Assert.True(done.GetProperty("converged").GetBoolean(), done.ToString());
        var services = done.GetProperty("services").EnumerateArray().Select(s => (Name: s.GetProperty("name").GetString(), Running: s.GetProperty("running").GetUInt64(), Done: s.GetProperty("done").GetBoolean())).ToList();
        Assert.Equal([($"{stack}_web", 1UL, true), ($"{stack}_worker", 1UL, true)], services.OrderBy(s => s.Name, StringComparer.Ordinal));
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "progress");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "line" && e.GetProperty("text").GetString()!.Contains($"{stack}_web", StringComparison.Ordinal));
        Assert.Equal(events.Select(e => e.GetProperty("id").GetInt32()), replayed.Select(e => e.GetProperty("id").GetInt32()));
        Assert.Contains("deployed: every service converged", page, StringComparison.Ordinal);
        var listed = ToolProcess.Run(Docker, ["stack", "ls", "--format", "{{.Name}} {{.Services}}"], withoutAmbient: true);
        Assert.Contains($"{stack} 2", listed.ToString(), StringComparison.Ordinal);
        var audit = await _server.Store.ReadAuditAsync(10, Ct);
        Assert.Contains(audit, e => e.Action == "stack.deploy" && e.Actor == "olga" && e.Target == $"/stacks/swarm/_/{stack}" && e.Result == "ok");
        Assert.Contains(audit, e => e.Action == "stack.deploy" && e.Result == "refused" && e.Detail.Contains("running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AServiceWhoseCommandExits_EndsTheDeployWithItsFailureReason()
    {
        using var client = await SignedInAsync();
        var stack = NewStack();
        var (_, review) = await DeployForm.ReviewAsync(client, stack, DeployForm.TwoServices("[\"sh\", \"-c\", \"exit 1\"]"), Ct);

        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        var events = await DeployForm.EventsUntilDoneAsync(client, $"/stacks/swarm/_/{stack}", TimeSpan.FromMinutes(3), Ct);

        Assert.Equal(HttpStatusCode.Redirect, deploy.StatusCode);
        var done = events[^1];
        Assert.False(done.GetProperty("converged").GetBoolean(), done.ToString());
        var failures = done.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(failures, f => f.StartsWith($"{stack}_web", StringComparison.Ordinal) && f.Contains("exit", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(failures, f => f.StartsWith($"{stack}_worker", StringComparison.Ordinal));
        var audit = await _server.Store.ReadAuditAsync(10, Ct);
        Assert.Contains(audit, e => e.Action == "stack.deploy" && e.Target == $"/stacks/swarm/_/{stack}" && e.Result == "failed" && e.Detail.Contains($"{stack}_web", StringComparison.Ordinal));
    }
}
