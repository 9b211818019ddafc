using System.Net;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Policy.Model;
using Berth.Policy.Profiles;
using Berth.Testing;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>
/// The console's deploy policy (<c>--policy restricted</c>, enforce and warn) on the real Swarm engine: the review
/// lists every violation with its rule, Compose line and hint before the user confirms; a denied stack offers no
/// deploy, and a deploy posted anyway is refused with the list, audited, with no job and nothing on Swarm; under warn
/// the warnings are shown and the stack deploys and converges. The review page in the real Chromium, checked by axe.
/// Every stack is removed afterwards.
/// </summary>
public sealed class DeployPolicyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Docker = "/usr/bin/docker";

    /// <summary>Line 4 is <c>privileged: true</c>; restricted also wants a user, cap_drop ALL and no-new-privileges.</summary>
    private const string Privileged = "services:\n  web:\n    image: berth-test/busybox:1\n    privileged: true\n    command: [\"sleep\", \"3600\"]\n";

    private readonly List<string> _stacks = [];
    private readonly List<ConsoleServer> _servers = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var stack in _stacks)
        {
            ToolProcess.Run(Docker, ["stack", "rm", stack], withoutAmbient: true);
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<ConsoleServer> StartAsync(PolicyMode mode)
    {
        var server = await ConsoleServer.StartAsync(Ct, policy: BuiltInProfiles.TryGet("restricted")!.WithMode(mode));
        _servers.Add(server);
        await server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
        return server;
    }

    private string NewStack()
    {
        var stack = $"cp-{Guid.NewGuid():N}"[..16];
        _stacks.Add(stack);
        return stack;
    }

    private static async Task<HttpClient> SignedInAsync(ConsoleServer server)
    {
        var client = server.Client();
        (await ConsoleServer.SignInAsync(client, "olga", ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    private static string SwarmServices(string stack)
        => ToolProcess.Run(Docker, ["service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}"], withoutAmbient: true).Stdout.Trim();

    [Fact]
    public async Task Enforce_TheReviewListsTheViolations_AndADeployPostedAnywayIsRefused_WithNoJobAndNothingOnSwarm()
    {
        var server = await StartAsync(PolicyMode.Enforce);
        using var client = await SignedInAsync(server);
        var stack = NewStack();

        var (status, review) = await DeployForm.ReviewAsync(client, stack, Privileged, Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var page = WebUtility.HtmlDecode(review);
        Assert.Contains("Policy: restricted (enforce)", page, StringComparison.Ordinal);
        Assert.Contains("The policy denies this stack (4 error(s))", page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"code-name\">BP201</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>compose.yaml, line 4</td>", page, StringComparison.Ordinal);
        Assert.Contains("service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of restricted)", page, StringComparison.Ordinal);
        Assert.Contains("remove 'privileged: true'", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"Deploy {stack}", page, StringComparison.Ordinal);
        Assert.DoesNotContain("No changes", page, StringComparison.Ordinal);

        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, deploy.StatusCode);
        var problem = JsonDocument.Parse(await deploy.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("the stack violates policy restricted; nothing was deployed", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("compose.yaml:4:5: error BP201: service 'web' sets 'privileged: true'", detail, StringComparison.Ordinal);
        Assert.Contains("compose.yaml:2:3: error BP212:", detail, StringComparison.Ordinal);
        Assert.Contains("(hint: remove 'privileged: true'", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Address.ToString(), detail, StringComparison.Ordinal);

        using var events = await client.GetAsync($"/stacks/swarm/_/{stack}/deploy/events", Ct);
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
        Assert.Equal(string.Empty, SwarmServices(stack));
        var audit = await server.Store.ReadAuditAsync(10, Ct);
        Assert.Contains(audit, e => e is { Action: "stack.deploy", Result: "refused" } && e.Target == $"/stacks/swarm/_/{stack}" && e.Detail.StartsWith("policy restricted: 4 error(s), first BP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Warn_TheReviewShowsTheWarnings_AndTheStackDeploys()
    {
        var server = await StartAsync(PolicyMode.Warn);
        using var client = await SignedInAsync(server);
        var stack = NewStack();

        var (status, review) = await DeployForm.ReviewAsync(client, stack, Privileged, Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var page = WebUtility.HtmlDecode(review);
        Assert.Contains("Policy: restricted (warn)", page, StringComparison.Ordinal);
        Assert.Contains("4 warning(s): the stack may be deployed", page, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"diagnostic-warning\">", page, StringComparison.Ordinal);
        Assert.Contains("<td>compose.yaml, line 4</td>", page, StringComparison.Ordinal);
        Assert.Contains($"Deploy {stack}", page, StringComparison.Ordinal);

        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(review), Ct);
        Assert.Equal(HttpStatusCode.Redirect, deploy.StatusCode);
        var done = (await DeployForm.EventsUntilDoneAsync(client, $"/stacks/swarm/_/{stack}", TimeSpan.FromMinutes(3), Ct))[^1];
        Assert.True(done.GetProperty("converged").GetBoolean(), done.ToString());
        Assert.NotEqual(string.Empty, SwarmServices(stack));
    }

    [Fact]
    public async Task TheDeniedReview_InChromium_ShowsTheViolationsTable_AndPassesAxe()
    {
        var server = await StartAsync(PolicyMode.Enforce);
        var stack = NewStack();
        var page = await BrowserSignIn.NewPageAsync(browser, server.Address);
        await BrowserSignIn.SignInAsync(page, "olga", "/stacks/new");
        async Task FillFormAsync()
        {
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync(stack);
            var editor = page.Locator(".cm-content");
            await editor.ClickAsync();
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.InsertTextAsync(Privileged);
        }

        await FillFormAsync();
        // A review only reads, so a submission Chromium aborted is sent again.
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Review" }), page.GetByRole(AriaRole.Heading, new() { Name = "Policy: restricted (enforce)" }), async () =>
        {
            await page.OpenAsync("/stacks/new");
            await FillFormAsync();
        });

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Every violation, with the Compose line to change" });
        Assert.Equal(4, await table.Locator("tbody tr").CountAsync());
        var privileged = table.Locator("tbody tr", new() { HasText = "BP201" });
        Assert.Equal("compose.yaml, line 4", await privileged.Locator("td").Nth(2).InnerTextAsync());
        Assert.StartsWith("remove 'privileged: true'", await privileged.Locator("td").Nth(4).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The policy denies this stack" }).CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = $"Deploy {stack}" }).CountAsync());
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, 1280);
    }
}
