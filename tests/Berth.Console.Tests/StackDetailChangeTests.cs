using System.Net;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>Scale and remove through the console's forms on the real Swarm engine, each test with a stack of its own.</summary>
public sealed class StackDetailChangeTests : IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
        """;

    private StackConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _console = await StackConsole.StartAsync("change-", Compose, [("olga", ConsoleRole.Operator), ("victor", ConsoleRole.Viewer)], Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private ConsoleServer Server => _console.Server;

    private SwarmTestStack Stack => _console.Stack;

    private async Task<HttpClient> SignedInAsync(string name)
    {
        var client = Server.Client();
        (await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    [Fact]
    public async Task Scale_ByAnOperator_SetsTheReplicas_SaysSo_AndIsAudited()
    {
        using var client = await SignedInAsync("olga");
        var token = await ConsoleServer.FormTokenAsync(client, Stack.Path, Ct);

        using var answer = await client.PostAsync(Stack.Path + "/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["service"] = $"{Stack.Name}_web", ["replicas"] = "2" }), Ct);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith(Stack.Path + "?notice=", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("<p class=\"notice notice-ok\" role=\"status\">Scaled web from 1 to 2.</p>", await client.GetStringAsync(answer.Headers.Location, Ct), StringComparison.Ordinal);
        Assert.Equal(2ul, (await Stack.Service.ServicesAsync(Stack.Name, [], Ct)).Single().Replicas.Desired);
        Assert.Contains(await Server.Store.ReadAuditAsync(20, Ct), e => e is { Actor: "olga", Action: "scale", Result: "ok", Detail: "web from 1 to 2" } && e.Target == $"swarm/{Stack.Name}");
    }

    [Fact]
    public async Task Remove_AsksForTheName_RefusesViewersAndAWrongName_ThenRemovesTheStack_AndAuditsEachStep()
    {
        using var viewer = await SignedInAsync("victor");
        using var olga = await SignedInAsync("olga");
        var viewerToken = await ConsoleServer.FormTokenAsync(viewer, Stack.Path, Ct);

        using var viewerPage = await viewer.GetAsync(Stack.Path + "/remove", Ct);
        using var viewerPost = await viewer.PostAsync(Stack.Path + "/remove", Form(viewerToken, Stack.Name), Ct);
        var confirmPage = await olga.GetStringAsync(Stack.Path + "/remove", Ct);
        var token = await ConsoleServer.FormTokenAsync(olga, Stack.Path + "/remove", Ct);
        using var wrong = await olga.PostAsync(Stack.Path + "/remove", Form(token, Stack.Name[..^1]), Ct);
        var stillThere = (await Stack.Service.ServicesAsync(Stack.Name, [], Ct)).Length;
        var wrongPage = await olga.GetStringAsync(wrong.Headers.Location, Ct);
        using var removed = await olga.PostAsync(Stack.Path + "/remove", Form(token, Stack.Name), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, viewerPage.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerPost.StatusCode);
        Assert.Contains($"<label for=\"confirm\">Type <strong>{Stack.Name}</strong> to confirm</label>", confirmPage, StringComparison.Ordinal);
        Assert.Equal(1, stillThere);
        Assert.Contains("The name typed does not match the stack&#x27;s name; nothing was removed.", wrongPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("/stacks", removed.Headers.Location!.OriginalString);
        Assert.Empty(await Stack.Service.ServicesAsync(Stack.Name, [], Ct));
        using var gone = await olga.GetAsync(Stack.Path, Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var audit = await Server.Store.ReadAuditAsync(20, Ct);
        Assert.Contains(audit, e => e is { Actor: "victor", Action: "remove", Result: "refused" });
        Assert.Contains(audit, e => e is { Actor: "olga", Action: "remove", Result: "refused", Detail: "the name typed did not match" });
        Assert.Contains(audit, e => e is { Actor: "olga", Action: "remove", Result: "ok" } && e.Detail.StartsWith("removed ", StringComparison.Ordinal));
    }

    private static FormUrlEncodedContent Form(string token, string confirm) =>
        new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["confirm"] = confirm });
}
