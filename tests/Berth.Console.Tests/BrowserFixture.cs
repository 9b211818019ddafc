using Microsoft.Playwright;

namespace Berth.Console.Tests;

/// <summary>
/// One headless Debian Chromium (/usr/bin/chromium, installed by scripts/setup-chromium.sh) per test class, driven by
/// Playwright; Playwright's own browser download is never used (docs/ENVIRONMENT.md).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run scripts/setup-chromium.sh (scripts/test.sh does)");
        _playwright = await Playwright.CreateAsync();
        // Expect(...) polls for 5 s by default; the loaded CI machine needs more (see NewContextAsync).
        Assertions.SetDefaultExpectTimeout(30_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>
    /// A browser context whose actions, navigations and waits allow 60 s: the CI machine runs the Swarm tests beside
    /// these, and a page listing both orchestrators' stacks can take longer than Playwright's 30 s default there.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
