using Berth.Console.Accounts;
using Berth.Testing;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>
/// Creating a stack in the real Chromium against the real Swarm engine: the CodeMirror editor marks the loader's
/// error at its line as the user types, the review shows the plan, the deploy's progress streams and survives leaving
/// the page and coming back; axe-core on every page seen, at a laptop's and a phone's width.
/// </summary>
public sealed class DeployBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Docker = "/usr/bin/docker";
    private const string InvalidCompose = "services:\n  web:\n    image: berth-test/busybox:1\n    deploy:\n      replicas: many\n";

    private readonly string _stack = $"cb-{Guid.NewGuid():N}"[..16];
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        ToolProcess.Run(Docker, ["stack", "rm", _stack], withoutAmbient: true);
        await _server.DisposeAsync();
    }

    private async Task<IPage> SignedInPageAsync(int width, int height)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.OpenAsync("/stacks");
        await page.WaitForURLAsync("**/login?returnUrl=*");
        await BrowserSignIn.SubmitLoginAsync(page, "olga", ConsoleServer.Password, "**/stacks", "/login?returnUrl=%2Fstacks");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync(new() { Timeout = 30_000 });
        Assert.EndsWith("/stacks", page.Url, StringComparison.Ordinal);
        return page;
    }

    /// <summary>Replaces the editor's text as typing a paste would, and waits for the server's answer to the lint that follows.</summary>
    private static async Task TypeComposeAsync(IPage page, string text)
    {
        var editor = page.Locator(".cm-content");
        await editor.ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        var validated = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/stacks/validate", StringComparison.Ordinal), new() { Timeout = 15_000 });
        await page.Keyboard.InsertTextAsync(text);
        Assert.Equal(200, (await validated).Status);
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task AnInvalidLine_IsMarkedInTheEditorAtItsLine_AndFixingItClearsTheMark(int width, int height)
    {
        var page = await SignedInPageAsync(width, height);
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a stack" }).ClickAsync();
        await page.WaitForURLAsync("**/stacks/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(_stack);

        await TypeComposeAsync(page, InvalidCompose);
        await page.Locator(".cm-lintRange-error").First.WaitForAsync(new() { Timeout = 10_000 });
        Assert.Equal("      replicas: many", await page.Locator(".cm-line:has(.cm-lintRange-error)").InnerTextAsync());
        Assert.Equal(1, await page.Locator(".cm-lint-marker-error").CountAsync());
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);

        await TypeComposeAsync(page, DeployForm.TwoServices());
        await page.Locator(".cm-lintRange-error").WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 10_000 });
        Assert.Equal(0, await page.Locator(".cm-lint-marker-error").CountAsync());
    }

    [Fact]
    public async Task Create_Review_Deploy_LeaveAndComeBack_ShowsTheSameProgress_UntilDone()
    {
        var page = await SignedInPageAsync(1280, 800);
        async Task FillFormAsync(string compose)
        {
            await page.OpenAsync("/stacks/new");
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync(_stack);
            await TypeComposeAsync(page, compose);
        }

        var review = page.GetByRole(AriaRole.Button, new() { Name = "Review" });
        await FillFormAsync(InvalidCompose);
        await page.Locator(".cm-lintRange-error").First.WaitForAsync(new() { Timeout = 10_000 });

        // Reviewed as it is: the server's list names the line, and no deploy is offered. A review only reads, so a
        // submission Chromium aborted is sent again.
        await page.SubmitAsync(review, page.GetByRole(AriaRole.Link, new() { Name = "compose.yaml, line 5, column 17" }), () => FillFormAsync(InvalidCompose));
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = $"Deploy {_stack}" }).CountAsync());
        await AssertAccessibleAsync(page);

        await TypeComposeAsync(page, DeployForm.TwoServices());
        await page.SubmitAsync(review, page.GetByRole(AriaRole.Heading, new() { Name = $"Review: {_stack} on Swarm" }), () => FillFormAsync(DeployForm.TwoServices()));
        // Two services and the stack's default network.
        Assert.Equal(3, await page.Locator("table.changes td.action-create").CountAsync());
        await AssertAccessibleAsync(page);

        // Not sent again if Chromium aborts it: the deploy may already have started on the server.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Deploy {_stack}" }).ClickAsync();
        await page.WaitForURLAsync($"**/stacks/swarm/_/{_stack}/deploy");
        await page.Locator("#deploy-log li").First.WaitForAsync(new() { Timeout = 30_000 });
        await AssertAccessibleAsync(page);

        // Away and back while it runs: the page is rendered again from the job's events, then follows the rest.
        await page.GetByRole(AriaRole.Link, new() { Name = "Stacks", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/stacks");
        await page.GoBackAsync();
        await page.WaitForURLAsync($"**/stacks/swarm/_/{_stack}/deploy");
        Assert.True(await page.Locator("#deploy-log li").CountAsync() > 0);
        await page.Locator("#deploy-status.result-ok").WaitForAsync(new() { Timeout = 180_000 });
        Assert.Equal("deployed: every service converged", (await page.Locator("#deploy-status").InnerTextAsync()).Trim());
        var rows = await page.Locator("#deploy-services tr").AllInnerTextsAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains("1/1", r, StringComparison.Ordinal));
        await AssertAccessibleAsync(page);
        var listed = ToolProcess.Run(Docker, ["stack", "ls", "--format", "{{.Name}}"], withoutAmbient: true);
        Assert.Contains(_stack, listed.ToString(), StringComparison.Ordinal);
    }
}
