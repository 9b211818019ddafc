using Berth.Console.Accounts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>
/// The stack page in the real Chromium on the real Swarm engine: reached from the stacks list, scaled 1→2 with the
/// live view showing the second task without a reload, logs shown as text, removed after typing its name; axe-core on
/// every page, at a laptop's and a phone's width.
/// </summary>
public sealed class StackDetailBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sh", "-c", "echo '<img src=x onerror=alert(1)> from web'; sleep 3600"]
        """;

    private StackConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _console = await StackConsole.StartAsync("browse-", Compose, [("olga", ConsoleRole.Operator)], Ct);
        await Stack.TasksUntilAsync(tasks => tasks.Any(t => t.State.StartsWith("Running", StringComparison.Ordinal)), "web to run", Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private ConsoleServer Server => _console.Server;

    private SwarmTestStack Stack => _console.Stack;

    private async Task<IPage> SignedInPageAsync(int width, int height)
    {
        var page = await BrowserSignIn.NewPageAsync(browser, Server.Address, width, height);
        await BrowserSignIn.SignInAsync(page, "olga");
        return page;
    }

    [Fact]
    public async Task FromTheList_ScaleOneToTwo_ShowsTwoRunningTasksLive_ThenRemoveAfterTypingTheName()
    {
        var page = await SignedInPageAsync(1280, 800);

        await page.GetByRole(AriaRole.Link, new() { Name = Stack.Name, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**{Stack.Path}");
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = Stack.Name, Exact = true }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Cell, new() { Name = $"{Stack.Name}_web", Exact = true }).IsVisibleAsync());
        await AssertAccessibleAsync(page);

        await page.GetByLabel($"Replicas of {Stack.Name}_web").FillAsync("2");
        // Scale and remove are not sent again if Chromium aborts them: the first may have been done, and a second
        // would answer differently ("from 2 to 2", a stack not found).
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale" }).ClickAsync();
        await page.WaitForURLAsync($"**{Stack.Path}?notice=*");
        Assert.Equal("Scaled web from 1 to 2.", (await page.GetByRole(AriaRole.Status).First.TextContentAsync())?.Trim());
        // The second task appears through the event stream, without reloading the page (Playwright's wait has a deadline).
        var running = page.Locator("#tasks tbody tr").Filter(new() { HasText = "Running" });
        await Assertions.Expect(running).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#services [data-cell=replicas]")).ToHaveTextAsync("2/2", new() { Timeout = 60_000 });
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Remove…" }).ClickAsync();
        await page.WaitForURLAsync($"**{Stack.Path}/remove");
        await AssertAccessibleAsync(page);
        await page.GetByLabel($"Type {Stack.Name} to confirm").FillAsync(Stack.Name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove this stack" }).ClickAsync();
        await page.WaitForURLAsync("**/stacks");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = Stack.Name, Exact = true })).ToHaveCountAsync(0);
        Assert.Empty(await Stack.Service.ServicesAsync(Stack.Name, [], Ct));
    }

    /// <summary>The edit page opens in the editor with the file of the stack's current revision, markup in it shown as text.</summary>
    [Fact]
    public async Task TheEditPage_OpensTheEditorWithTheCurrentRevisionsComposeFile()
    {
        var page = await SignedInPageAsync(1280, 800);
        var dialogs = 0;
        page.Dialog += (_, dialog) => dialogs++;

        await page.OpenAsync(Stack.Path + "/edit");

        var editor = page.Locator(".cm-content");
        await Assertions.Expect(editor).ToContainTextAsync("echo '<img src=x onerror=alert(1)> from web'", new() { Timeout = 15_000 });
        await Assertions.Expect(editor).ToContainTextAsync("image: berth-test/busybox:1");
        Assert.StartsWith("Opened with revision 1 ", (await page.Locator("#prefill").TextContentAsync())?.Trim(), StringComparison.Ordinal);
        Assert.Equal(Stack.Name, await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).InputValueAsync());
        Assert.Equal(0, dialogs);
        await AssertAccessibleAsync(page);
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task TheStackPage_AndItsLogs_FitTheWidth_PassAxe_AndShowLogLinesAsText(int width, int height)
    {
        var page = await SignedInPageAsync(width, height);

        await page.OpenAsync(Stack.Path);
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);

        await page.GetByRole(AriaRole.Link, new() { Name = "Logs" }).ClickAsync();
        var log = page.GetByRole(AriaRole.Log);
        await Assertions.Expect(log).ToContainTextAsync("<img src=x onerror=alert(1)> from web", new() { Timeout = 30_000 });
        Assert.Equal(0, await log.Locator("img").CountAsync());
        await Assertions.Expect(page.Locator("#log-status")).ToContainTextAsync("no more lines", new() { Timeout = 30_000 });
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);
    }
}
