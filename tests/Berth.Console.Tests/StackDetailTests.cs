using System.Net;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Console.Stacks;
using Berth.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Console.Tests;

/// <summary>The console and one stack for a test class: the stack deployed twice through berth (revisions 1 and 2).</summary>
public sealed class StackDetailFixture : IAsyncLifetime
{
    /// <summary>web prints numbered lines (with markup, to be shown as text) every half second; agent is global.</summary>
    public static string Compose(string color) => $$$"""
        services:
          web:
            image: berth-test/busybox:1
            command: ["sh", "-c", "i=0; while true; do i=$$((i+1)); echo \"berth-line-$$i <b>bold</b>\"; sleep 0.5; done"]
            environment:
              COLOR: {{{color}}}
          agent:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            deploy:
              mode: global
        """;

    private StackConsole _console = null!;

    internal ConsoleServer Server => _console.Server;

    internal SwarmTestStack Stack => _console.Stack;

    private readonly Dictionary<string, HttpClient> _clients = [];

    /// <summary>One signed-in client per account for the whole class: sign-ins are rate limited per address (10 a minute).</summary>
    internal async Task<HttpClient> SignedInAsync(string name)
    {
        if (!_clients.TryGetValue(name, out var client))
        {
            client = Server.Client();
            (await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, TestContext.Current.CancellationToken)).Dispose();
            _clients[name] = client;
        }

        return client;
    }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        // "scoped" may only see stacks named shop-*.
        _console = await StackConsole.StartAsync("detail-", Compose("blue"), [("olga", ConsoleRole.Operator), ("victor", ConsoleRole.Viewer), ("scoped", ConsoleRole.Operator)], ct);
        // Right after the update the blue task still runs (desired Shutdown): waiting for "a web task runs" would let
        // the tests see the update half done (two tasks, replicas 0/1), so the deploy waits for convergence.
        await Stack.RedeployAsync(Compose("green"), ct, converge: true);
        await Stack.SettledAsync("web", 1, ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await _console.DisposeAsync();
    }
}

/// <summary>
/// The stack page over HTTP on the real Docker engine in Swarm mode: services and tasks, the live event stream, logs,
/// scale, history with diff and rollback, remove; and who may do what (role and scope checked on the server).
/// </summary>
public sealed class StackDetailTests(StackDetailFixture fixture) : IClassFixture<StackDetailFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsoleServer Server => fixture.Server;

    private SwarmTestStack Stack => fixture.Stack;

    private Task<HttpClient> SignedInAsync(string name) => fixture.SignedInAsync(name);

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string token, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = token;
        return client.PostAsync(path, new FormUrlEncodedContent(fields), Ct);
    }

    [Fact]
    public async Task ThePage_ListsTheServices_AndTheirTasks_AndTheStacksListLinksToIt()
    {
        var client = await SignedInAsync("olga");

        var list = await client.GetStringAsync("/stacks", Ct);
        using var answer = await client.GetAsync(Stack.Path, Ct);
        var page = await answer.Content.ReadAsStringAsync(Ct);

        Assert.Contains($"href=\"{Stack.Path}\"", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains($"<h1>{Stack.Name}</h1>", page, StringComparison.Ordinal);
        Assert.Contains($"<td data-label=\"Name\">{Stack.Name}_web</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Mode\">replicated</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Mode\">global</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Replicas\" data-cell=\"replicas\">1/1</td>", page, StringComparison.Ordinal);
        Assert.Contains($"<td data-label=\"Name\">{Stack.Name}_web.1</td>", page, StringComparison.Ordinal);
        Assert.Matches("<td data-label=\"Current\">Running[^<]*</td>", page);
        Assert.Contains($"action=\"{Stack.Path}/scale\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"__RequestVerificationToken\"", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/js/stack-detail.js\"></script>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewer_SeesThePage_WithoutAnyChangingForm()
    {
        var client = await SignedInAsync("victor");

        var page = await client.GetStringAsync(Stack.Path, Ct);

        Assert.Contains($"{Stack.Name}_web", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/scale\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/remove\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/rollback?", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStackOutsideTheAccountsScope_IsTheSame404_AsAStackThatDoesNotExist_OnEveryEndpoint()
    {
        var scoped = await SignedInAsync("scoped");
        var olga = await SignedInAsync("olga");
        var token = await ConsoleServer.FormTokenAsync(scoped, "/stacks", Ct);
        var unknown = "/stacks/swarm/_/shop-no-such-stack";

        using var outside = await scoped.GetAsync(Stack.Path, Ct);
        using var missing = await scoped.GetAsync(unknown, Ct);
        using var missingForOlga = await olga.GetAsync(unknown, Ct);

        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingForOlga.StatusCode);
        Assert.Equal(
            (await missing.Content.ReadAsStringAsync(Ct)).Replace("shop-no-such-stack", "NAME", StringComparison.Ordinal),
            (await outside.Content.ReadAsStringAsync(Ct)).Replace(Stack.Name, "NAME", StringComparison.Ordinal));
        foreach (var path in new[] { "/logs", "/remove", "/rollback?revision=1", "/history/diff?from=1&to=2", "/events", "/logs/stream?tail=1" })
        {
            using var read = await scoped.GetAsync(Stack.Path + path, Ct);
            Assert.True(read.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {read.StatusCode}");
        }

        foreach (var (path, field, value) in new[] { ("/scale", "replicas", "3"), ("/remove", "confirm", Stack.Name), ("/rollback", "revision", "1") })
        {
            using var change = await PostFormAsync(scoped, Stack.Path + path, token, new() { ["service"] = "web", [field] = value });
            Assert.True(change.StatusCode == HttpStatusCode.NotFound, $"POST {path}: {change.StatusCode}");
        }

        Assert.Equal(1ul, (await Stack.Service.ServicesAsync(Stack.Name, [], Ct)).Single(s => s.Name.EndsWith("_web", StringComparison.Ordinal)).Replicas.Desired);
    }

    [Fact]
    public async Task TheEventStream_SendsTheServicesAndTasks_AndEveryWatcherOfTheStackSharesOnePoll()
    {
        var first = await SignedInAsync("olga");
        var second = await SignedInAsync("victor");
        var watch = Server.Services.GetRequiredService<StackDetailWatch>();

        using (var one = await SseReader.OpenAsync(first, Stack.Path + "/events", Ct))
        using (var two = await SseReader.OpenAsync(second, Stack.Path + "/events", Ct))
        {
            var (kind, data) = await one.NextAsync(Ct);
            var (_, sameData) = await two.NextAsync(Ct);

            Assert.Equal("snapshot", kind);
            using var snapshot = JsonDocument.Parse(data);
            Assert.Contains(snapshot.RootElement.GetProperty("services").EnumerateArray(), s => s.GetProperty("name").GetString() == $"{Stack.Name}_agent" && s.GetProperty("mode").GetString() == "global");
            Assert.Contains(snapshot.RootElement.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("name").GetString() == $"{Stack.Name}_web.1");
            Assert.StartsWith("{\"services\":", sameData, StringComparison.Ordinal);
            Assert.Equal(1, watch.ActivePolls);
        }

        await Poll.UntilAsync(() => watch.ActivePolls == 0, "the poll to stop once nobody watches", Ct);
    }

    [Fact]
    public async Task Logs_WithoutFollow_SendTheServicesLines_AsJsonText_ThenEnd()
    {
        var client = await SignedInAsync("victor");

        using var stream = await SseReader.OpenAsync(client, Stack.Path + "/logs/stream?service=web&tail=5", Ct);
        var events = await stream.UntilAsync(e => e.Kind == "end", Ct);

        var lines = events.Where(e => e.Kind == "line").Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.InRange(lines.Count, 1, 5);
        Assert.All(lines, l => Assert.Matches("^berth-line-[0-9]+ <b>bold</b>$", l.GetProperty("message").GetString()));
        Assert.All(lines, l => Assert.Equal("web", l.GetProperty("service").GetString()));
        Assert.DoesNotContain(events, e => e.Data.Contains("<b>", StringComparison.Ordinal));
        Assert.Equal("done", events[^1].Data);
    }

    [Fact]
    public async Task Logs_WithFollow_KeepStreamingNewLines()
    {
        var client = await SignedInAsync("victor");

        // tail=0: only lines written from now on. The service's logs include its shut-down tasks' (the fixture's blue
        // task, the rollback test's), whose last lines carry their own, unrelated numbers ([44, 22, 23, 24]).
        using var stream = await SseReader.OpenAsync(client, Stack.Path + "/logs/stream?service=web&tail=0&follow=1", Ct);
        var events = await stream.UntilAsync(e => e.Kind == "line", Ct, count: 4);

        var numbers = events.Select(e => int.Parse(JsonDocument.Parse(e.Data).RootElement.GetProperty("message").GetString()!.Split(' ')[0]["berth-line-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, numbers.Count);
        Assert.Equal(numbers.Order(), numbers);
        Assert.True(numbers[^1] > numbers[0], string.Join(",", numbers));
    }

    [Fact]
    public async Task Logs_OfAnUnknownService_AreTheServicesOwnError()
    {
        var client = await SignedInAsync("victor");

        using var stream = await SseReader.OpenAsync(client, Stack.Path + "/logs/stream?service=nope", Ct);
        var (kind, data) = await stream.NextAsync(Ct);

        Assert.Equal("problem", kind);
        Assert.Contains("nope", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_ByAViewer_IsRefusedWith403_AndAudited_AndChangesNothing()
    {
        var client = await SignedInAsync("victor");
        var token = await ConsoleServer.FormTokenAsync(client, Stack.Path, Ct);

        using var answer = await PostFormAsync(client, Stack.Path + "/scale", token, new() { ["service"] = "web", ["replicas"] = "3" });

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(1ul, (await Stack.Service.ServicesAsync(Stack.Name, [], Ct)).Single(s => s.Name == $"{Stack.Name}_web").Replicas.Desired);
        Assert.Contains(await Server.Store.ReadAuditAsync(50, Ct), e => e is { Actor: "victor", Action: "scale", Result: "refused" } && e.Target == $"swarm/{Stack.Name}");
    }

    [Fact]
    public async Task Scale_WithoutTheAntiforgeryToken_IsRefused()
    {
        var client = await SignedInAsync("olga");

        using var answer = await client.PostAsync(Stack.Path + "/scale", new FormUrlEncodedContent(new Dictionary<string, string> { ["service"] = "web", ["replicas"] = "3" }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(1ul, (await Stack.Service.ServicesAsync(Stack.Name, [], Ct)).Single(s => s.Name == $"{Stack.Name}_web").Replicas.Desired);
    }

    [Fact]
    public async Task Scale_OfAGlobalService_ShowsTheStackServicesOwnRefusal_AndIsAuditedAsRefused()
    {
        var client = await SignedInAsync("olga");
        var token = await ConsoleServer.FormTokenAsync(client, Stack.Path, Ct);

        using var answer = await PostFormAsync(client, Stack.Path + "/scale", token, new() { ["service"] = "agent", ["replicas"] = "2" });

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var page = await client.GetStringAsync(answer.Headers.Location, Ct);
        var refusal = (await Server.Store.ReadAuditAsync(50, Ct)).First(e => e is { Actor: "olga", Action: "scale", Result: "refused" });
        Assert.Contains("global", refusal.Detail, StringComparison.Ordinal);
        Assert.Contains("<p class=\"notice error\" role=\"alert\">Not scaled: agent: ", page, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(refusal.Detail["agent=2: ".Length..]), page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANoticeThatWasNotProtectedByTheServer_IsNotShown()
    {
        var client = await SignedInAsync("olga");

        var page = await client.GetStringAsync(Stack.Path + "?notice=ok%7CEverything%20deleted", Ct);

        Assert.DoesNotContain("Everything deleted", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_ListsTheRevisions_AndTheDiffBetweenTwoIsAUnifiedDiffOfTheirComposeFiles()
    {
        var client = await SignedInAsync("victor");

        var page = await client.GetStringAsync(Stack.Path, Ct);
        var diff = WebUtility.HtmlDecode(await client.GetStringAsync(Stack.Path + "/history/diff?from=1&to=2", Ct));

        Assert.Matches("<td data-label=\"Revision\">[0-9]+ \\(current\\)</td>", page);
        Assert.Contains("<td data-label=\"Revision\">2", page, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Revision\">1</td>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Stack.Path}/history/diff?from=1&amp;to=", page, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(diff, "<span class=\"hunk\">@@ -[0-9,]+ \\+[0-9,]+ @@\n</span>"), diff);
        // Environment values are fingerprinted, never shown: a change is a changed line, not the values.
        Assert.Matches("<span class=\"del\">-      COLOR: \\(value hidden, #[0-9a-f]{8}\\)\n</span><span class=\"add\">\\+      COLOR: \\(value hidden, #[0-9a-f]{8}\\)\n</span>", diff);
        Assert.DoesNotContain("blue", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("green", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_ByAViewer_Is403_AndByAnOperator_ShowsThePlan_ThenDeploysTheRevision_AsANewOne()
    {
        var viewer = await SignedInAsync("victor");
        var olga = await SignedInAsync("olga");
        var viewerToken = await ConsoleServer.FormTokenAsync(viewer, Stack.Path, Ct);

        using var refusedPage = await viewer.GetAsync(Stack.Path + "/rollback?revision=1", Ct);
        using var refused = await PostFormAsync(viewer, Stack.Path + "/rollback", viewerToken, new() { ["revision"] = "1" });
        var confirm = WebUtility.HtmlDecode(await olga.GetStringAsync(Stack.Path + "/rollback?revision=1", Ct));
        var token = await ConsoleServer.FormTokenAsync(olga, Stack.Path + "/rollback?revision=1", Ct);
        using var done = await PostFormAsync(olga, Stack.Path + "/rollback", token, new() { ["revision"] = "1" });

        Assert.Equal(HttpStatusCode.Forbidden, refusedPage.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("<strong>update</strong> service " + Stack.Name + "_web", confirm, StringComparison.Ordinal);
        Assert.Matches("<span class=\"del\">-      COLOR: \\(value hidden, #[0-9a-f]{8}\\)\n</span><span class=\"add\">\\+      COLOR: \\(value hidden, #[0-9a-f]{8}\\)\n</span>", confirm);
        Assert.DoesNotContain("green", confirm, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var after = await olga.GetStringAsync(done.Headers.Location, Ct);
        Assert.Contains("Rolled back to revision 1 (recorded as revision 3).", after, StringComparison.Ordinal);
        var history = await Stack.Service.HistoryAsync(Stack.Name, Ct);
        Assert.Equal([1, 2, 3], history.Revisions.Select(r => r.Revision));
        Assert.Equal("rollback to 1", history.Revisions[^1].Note);
        var audit = await Server.Store.ReadAuditAsync(50, Ct);
        Assert.Contains(audit, e => e is { Actor: "victor", Action: "rollback", Result: "refused" });
        Assert.Contains(audit, e => e is { Actor: "olga", Action: "rollback", Result: "ok", Detail: "to 1 (recorded as revision 3)" });

        // Back to revision 2's file, so the other tests of the class see the stack as they expect it: settled, not
        // with the rollback's update and this one still in flight.
        await Stack.RedeployAsync(StackDetailFixture.Compose("green"), Ct, converge: true);
        await Stack.SettledAsync("web", 1, Ct);
    }
}
