using Berth.Console.Accounts;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>Signing in with the real Chromium, at a laptop's and a phone's width, and axe-core on every page seen.</summary>
public sealed class SignInBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("alice", ConsoleRole.Admin, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<IPage> PageAsync(int width, int height)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    /// <summary>axe-core's verdict on the page: every violation with the elements it found, none expected.</summary>
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task ASignedOutVisitor_SignsIn_AndLandsOnThePageAskedFor(int width, int height)
    {
        var page = await PageAsync(width, height);

        await page.OpenAsync("/stacks?q=web");
        Assert.EndsWith("/login?returnUrl=%2Fstacks%3Fq%3Dweb", page.Url, StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        async Task FillFormAsync()
        {
            await page.GetByLabel("Name").FillAsync("alice");
            await page.GetByLabel("Password").FillAsync(ConsoleServer.Password);
        }

        await FillFormAsync();
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }), "**/stacks?q=web", async () =>
        {
            await page.OpenAsync("/stacks?q=web");
            await FillFormAsync();
        });
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Stacks" }).IsVisibleAsync());
        Assert.Equal("web", await page.GetByLabel("Search").InputValueAsync());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).IsVisibleAsync());
        await AssertAccessibleAsync(page);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
        Assert.False(overflow, $"the stacks page scrolls sideways at {width}px");
    }

    [Fact]
    public async Task AWrongPassword_IsAnnouncedAsAnAlert_AndSignsNobodyIn()
    {
        var page = await PageAsync(1280, 800);

        await page.OpenAsync("/login");
        // A retry after Chromium aborted the submission is one more failure for alice: at most 4, below the lock-out's 5.
        await BrowserSignIn.SubmitLoginAsync(page, "alice", "not the password at all", "**/login?error=invalid*", "/login");

        Assert.Equal("The name or the password is wrong.", (await page.GetByRole(AriaRole.Alert).TextContentAsync())?.Trim());
        await AssertAccessibleAsync(page);
        await page.OpenAsync("/stacks");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }
}
