using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Berth.Console.Tests;

/// <summary>What every browser test checks of each page it visits: axe-core finds nothing, and nothing scrolls sideways.</summary>
internal static class PageChecks
{
    /// <summary>axe-core (the npm package Deque.AxeCore.Playwright carries) run on the page: no violation of any impact.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, $"{page.Url}:\n" + string.Join("\n", result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    /// <summary>The page fits the viewport's width (<paramref name="width"/> is for the message).</summary>
    public static async Task AssertNoSidewaysScrollAsync(IPage page, int width)
    {
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
        Assert.False(overflow, $"{page.Url} scrolls sideways at {width}px");
    }
}

/// <summary>Signing in through the login page, as a user does.</summary>
internal static class BrowserSignIn
{
    /// <summary>A new browser context at <paramref name="width"/>×<paramref name="height"/> on the console at <paramref name="address"/>.</summary>
    public static async Task<IPage> NewPageAsync(BrowserFixture browser, Uri address, int width = 1280, int height = 800)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="returnUrl"/>'s login page, signs in as <paramref name="name"/> (the test password) and waits to be back there.</summary>
    public static async Task SignInAsync(IPage page, string name, string returnUrl = "/stacks")
    {
        var login = "/login?returnUrl=" + Uri.EscapeDataString(returnUrl);
        await page.OpenAsync(login);
        await SubmitLoginAsync(page, name, ConsoleServer.Password, "**" + returnUrl, login);
    }

    /// <summary>
    /// Fills the login form the page shows with <paramref name="name"/> and <paramref name="password"/>, submits it and
    /// waits for <paramref name="landing"/> (a URL glob). When Chromium aborted the submission for a network change,
    /// <paramref name="reopen"/> (an address that shows the login form) is opened and the form sent again: signing in
    /// twice, or failing twice, is as a user's second try.
    /// </summary>
    public static async Task SubmitLoginAsync(IPage page, string name, string password, string landing, string reopen)
    {
        async Task FillFormAsync()
        {
            await page.GetByLabel("Name").FillAsync(name);
            await page.GetByLabel("Password").FillAsync(password);
        }

        await FillFormAsync();
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }), landing, async () =>
        {
            await page.OpenAsync(reopen);
            await FillFormAsync();
        });
    }
}
