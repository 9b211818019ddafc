using Berth.Console.Accounts;
using Berth.Testing;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>
/// The README's screenshots of the main pages (sign-in, stacks, create and review, stack page, accounts, audit log, shared resources) in
/// the real Chromium at 1280×800, against a console with a small stack running on the real Swarm engine. Each page is
/// checked as the browser renders it (its heading and the content the picture is meant to show, axe-core); the PNGs
/// under docs/screenshots are rewritten only with <c>BERTH_UPDATE_SCREENSHOTS=1</c>.
/// </summary>
public sealed class ScreenshotTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            deploy:
              replicas: 2
          cache:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
        """;

    private StackConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool Updating => Environment.GetEnvironmentVariable("BERTH_UPDATE_SCREENSHOTS") == "1";

    public async ValueTask InitializeAsync()
    {
        _console = await StackConsole.StartAsync("shop-", Compose, [("chief", ConsoleRole.Admin), ("olga", ConsoleRole.Operator), ("victor", ConsoleRole.Viewer)], Ct);
        await _console.Stack.TasksUntilAsync(tasks => tasks.Count(t => t.State.StartsWith("Running", StringComparison.Ordinal)) == 3, "three tasks to run", Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task TheMainPages_RenderAt1280x800_AndAreCapturedWhenAsked()
    {
        var stack = _console.Stack;
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _console.Server.Address.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();

        await page.OpenAsync("/login");
        await ExpectHeadingAsync(page, "Sign in to Berth");
        await page.GetByLabel("Name").FillAsync("chief");
        await CaptureAsync(page, "login");
        await BrowserSignIn.SubmitLoginAsync(page, "chief", ConsoleServer.Password, "**/", "/login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync(new() { Timeout = 30_000 });

        await page.OpenAsync("/stacks");
        await ExpectHeadingAsync(page, "Stacks");
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = stack.Name, Exact = true }).IsVisibleAsync());
        await CaptureAsync(page, "stacks");

        async Task FillFormAsync()
        {
            await page.OpenAsync("/stacks/new");
            await ExpectHeadingAsync(page, "Create a stack");
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("shop-preview");
            var editor = page.Locator(".cm-content");
            await editor.ClickAsync();
            await page.Keyboard.PressAsync("Control+A");
            var validated = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/stacks/validate", StringComparison.Ordinal), new() { Timeout = 15_000 });
            await page.Keyboard.InsertTextAsync(Compose);
            Assert.Equal(200, (await validated).Status);
        }

        await FillFormAsync();
        await CaptureAsync(page, "create");
        var review = page.GetByRole(AriaRole.Heading, new() { Name = "Review: shop-preview on Swarm" });
        // A review only reads, so a submission Chromium aborted is sent again.
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Review" }), review, FillFormAsync);
        Assert.True(await page.Locator("table.changes tbody tr").CountAsync() >= 2, "the plan lists the two services to create");
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Deploy shop-preview" }).IsVisibleAsync());
        // The picture shows the review (the plan), not the form above it.
        await review.EvaluateAsync("heading => heading.scrollIntoView()");
        await CaptureAsync(page, "review");

        await page.OpenAsync(stack.Path);
        await ExpectHeadingAsync(page, stack.Name);
        await Assertions.Expect(page.Locator("#tasks tbody tr").Filter(new() { HasText = "Running" })).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await CaptureAsync(page, "stack");

        await page.OpenAsync("/accounts");
        await ExpectHeadingAsync(page, "Accounts");
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "olga", Exact = true }).IsVisibleAsync());
        await CaptureAsync(page, "accounts");

        await page.OpenAsync("/audit");
        await ExpectHeadingAsync(page, "Audit log");
        Assert.True(await page.GetByRole(AriaRole.Cell, new() { Name = "sign-in", Exact = true }).First.IsVisibleAsync());
        await CaptureAsync(page, "audit");

        await page.OpenAsync("/resources");
        await ExpectHeadingAsync(page, "Shared resources");
        Assert.True(await page.Locator("table.nodes tbody tr").CountAsync() >= 1, "the swarm's node is listed");
        await Assertions.Expect(page.Locator("#images-swarm")).ToContainTextAsync("berth-test/busybox:1");
        await CaptureAsync(page, "resources");
    }

    private static async Task ExpectHeadingAsync(IPage page, string name) =>
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 1 })).ToBeVisibleAsync(new() { Timeout = 30_000 });

    /// <summary>Every captured page passes axe-core and fits 1280 px; the PNG is written only when updating.</summary>
    private static async Task CaptureAsync(IPage page, string name)
    {
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, 1280);
        if (Updating)
        {
            var file = Path.Combine(RepositoryRoot.Path, "docs", "screenshots", $"{name}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, Type = ScreenshotType.Png });
        }
    }
}
