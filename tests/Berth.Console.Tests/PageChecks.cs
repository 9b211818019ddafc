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
