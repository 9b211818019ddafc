using Microsoft.Playwright;

namespace Berth.Console.Tests;

/// <summary>
/// Navigation that survives Chromium's reaction to the host's network changing under it. Swarm tasks started by other
/// tests add and remove veth interfaces on this machine; Chromium's NetworkChangeNotifier takes each new address as a
/// network change and aborts requests in flight with net::ERR_NETWORK_CHANGED (crbug.com/41465264), even to
/// 127.0.0.1. scripts/test.sh keeps new interfaces free of IPv6 addresses, the main trigger, while the tests run;
/// this retries the navigation the abort hit, which is what a user's reload does. Any other failure is not retried.
/// </summary>
internal static class PageNavigation
{
    private const int Attempts = 4;

    /// <summary><see cref="IPage.GotoAsync"/>, again after a pause when Chromium aborted it for a network change.</summary>
    public static async Task<IResponse?> OpenAsync(this IPage page, string url)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await page.GotoAsync(url);
                if (!BouncedToErrorPage(page) || attempt == Attempts)
                {
                    return response;
                }
            }
            catch (PlaywrightException e) when (IsNetworkChange(e) && attempt < Attempts)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
        }
    }

    /// <summary>
    /// Clicks <paramref name="submit"/> and waits for the page to reach <paramref name="urlGlob"/>; when the submission
    /// was aborted for a network change (Chromium shows its error page), <paramref name="redo"/> prepares the form again
    /// and it is submitted once more.
    /// </summary>
    public static async Task SubmitAsync(this IPage page, ILocator submit, string urlGlob, Func<Task> redo)
    {
        for (var attempt = 1; ; attempt++)
        {
            await submit.ClickAsync();
            var target = new System.Text.RegularExpressions.Regex(GlobToRegex(urlGlob));
            await page.WaitForURLAsync(url => target.IsMatch(url) || url.StartsWith("chrome-error://", StringComparison.Ordinal), new() { Timeout = 30_000 });
            if (!BouncedToErrorPage(page) || attempt == Attempts)
            {
                Assert.False(BouncedToErrorPage(page), $"Chromium kept failing to submit the form: {page.Url}");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
            await redo();
        }
    }

    /// <summary>
    /// <see cref="SubmitAsync(IPage, ILocator, string, Func{Task})"/> for a form that answers at its own address (the
    /// URL cannot tell the answer came): waits until <paramref name="arrived"/>, which only the answer shows, is visible.
    /// </summary>
    public static async Task SubmitAsync(this IPage page, ILocator submit, ILocator arrived, Func<Task> redo)
    {
        for (var attempt = 1; ; attempt++)
        {
            await submit.ClickAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!BouncedToErrorPage(page) && !await arrived.IsVisibleAsync())
            {
                Assert.True(DateTime.UtcNow < deadline, $"the form's answer did not show within 30 s: {arrived} on {page.Url}");
                await Task.Delay(200);
            }

            if (!BouncedToErrorPage(page) || attempt == Attempts)
            {
                Assert.False(BouncedToErrorPage(page), $"Chromium kept failing to submit the form: {page.Url}");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
            await redo();
        }
    }

    private static bool IsNetworkChange(PlaywrightException e) => e.Message.Contains("net::ERR_NETWORK_CHANGED", StringComparison.Ordinal);

    private static bool BouncedToErrorPage(IPage page) => page.Url.StartsWith("chrome-error://", StringComparison.Ordinal);

    /// <summary>Playwright's URL glob ("**" any text, "*" any text without "/", "?" literal) as an anchored regex.</summary>
    private static string GlobToRegex(string glob)
    {
        var pattern = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
            }
            else if (glob[i] == '*')
            {
                pattern.Append("[^/]*");
            }
            else
            {
                pattern.Append(System.Text.RegularExpressions.Regex.Escape(glob[i].ToString()));
            }
        }

        return pattern.Append('$').ToString();
    }
}
