using Berth.Console.Accounts;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>The accounts pages in the real Chromium at a laptop's and a phone's width, with axe-core on every page seen.</summary>
public sealed class AccountsBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("root", ConsoleRole.Admin, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task AnAdmin_AddsAnAccountWithAGeneratedPassword_ThenMakesItAnOperator(int width, int height)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        var name = $"user{width}";

        await page.OpenAsync("/login");
        await BrowserSignIn.SubmitLoginAsync(page, "root", ConsoleServer.Password, "**/", "/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
        await page.WaitForURLAsync("**/accounts");
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Role").SelectOptionAsync("viewer");
        // Not sent again if Chromium aborts it: the account may already exist, its one-time password lost with the answer.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add account" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Password of {name}" }).WaitForAsync();
        var issued = await page.GetByLabel("Password", new() { Exact = true }).InputValueAsync();
        Assert.Equal(20, issued.Length);
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the account" }).ClickAsync();
        // The heading, not the load event: on this shared 2-core machine a load event once took over 30 s to come.
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Account {name}" }).WaitForAsync();
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);
        await page.GetByLabel("Role").SelectOptionAsync("operator");
        // Setting the role again is harmless (same role, same notice), so a submission Chromium aborted is sent again.
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Change role" }), $"**/accounts/{name}?done=role", async () =>
        {
            await page.OpenAsync($"/accounts/{name}");
            await page.GetByLabel("Role").SelectOptionAsync("operator");
        });
        Assert.Contains("sessions ended", await page.GetByRole(AriaRole.Status).TextContentAsync(), StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        Assert.Equal(ConsoleRole.Operator, (await _server.Store.FindAccountAsync(name, Ct))!.Role);

        // The generated password signs the new account in, in a browser of its own.
        await using var other = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Address.ToString() });
        var theirs = await other.NewPageAsync();
        await theirs.OpenAsync("/login");
        await BrowserSignIn.SubmitLoginAsync(theirs, name, issued, "**/", "/login");
        await theirs.GetByRole(AriaRole.Heading, new() { Name = "Stacks" }).WaitForAsync();
    }

    [Fact]
    public async Task TheAuditPage_WithItsFilters_IsAccessible_AtPhoneWidth()
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Address.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await page.OpenAsync("/login");
        await BrowserSignIn.SubmitLoginAsync(page, "root", ConsoleServer.Password, "**/", "/login");

        async Task FillFiltersAsync()
        {
            await page.OpenAsync("/audit");
            await page.GetByLabel("Who").FillAsync("root");
            await page.GetByLabel("Result").SelectOptionAsync("ok");
        }

        await FillFiltersAsync();
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Filter" }), "**/audit?who=root&*", FillFiltersAsync);

        Assert.Equal("root", await page.GetByLabel("Who").InputValueAsync());
        Assert.True(await page.GetByRole(AriaRole.Cell, new() { Name = "sign-in", Exact = true }).First.IsVisibleAsync());
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, 390);
    }
}
