using Berth.Console.Accounts;
using Berth.Kubernetes.ApiDouble;
using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>One console for a browser test class, started against the Kubernetes API test double (see <see cref="KubernetesConsole"/>).</summary>
public sealed class KubernetesConsoleFixture : IAsyncLifetime
{
    internal KubernetesConsole Console { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Console = await KubernetesConsole.StartAsync([("olga", ConsoleRole.Operator, [])], TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await Console.DisposeAsync();
}

/// <summary>
/// The console on Kubernetes in the real Chromium, against the Kubernetes API test double (an in-process stand-in for
/// kube-apiserver, not a cluster; its simulated controllers make the pods ready, or fail those of one service):
/// create a stack through the form in a namespace picked from the cluster, see it converge, find it in the list with
/// its orchestrator and namespace, see its pods, scale it and remove it; a service whose image cannot be pulled shows
/// ImagePullBackOff on the deploy and stack pages, still there after leaving and coming back. axe-core on every page.
/// One console and one browser for the class; each test uses service names of its own, since the double fails pods
/// by service name.
/// </summary>
public sealed class KubernetesBrowserTests(BrowserFixture browser, KubernetesConsoleFixture fixture) : IClassFixture<BrowserFixture>, IClassFixture<KubernetesConsoleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubernetesConsole Console => fixture.Console;

    private async Task<IPage> SignedInPageAsync()
    {
        var page = await BrowserSignIn.NewPageAsync(browser, Console.Server.Address);
        await BrowserSignIn.SignInAsync(page, "olga");
        return page;
    }

    /// <summary>Fills the create form for Kubernetes in <c>team-b</c> (picked from the cluster's list), reviews and deploys; leaves the page on the deploy's progress.</summary>
    private static async Task CreateOnKubernetesAsync(IPage page, string stack, string compose)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Create a stack" }).ClickAsync();
        await page.WaitForURLAsync("**/stacks/new");
        async Task FillFormAsync()
        {
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync(stack);
            await page.GetByLabel("Orchestrator").SelectOptionAsync("kubernetes");
            var namespaces = page.GetByLabel("Namespace (Kubernetes)");
            Assert.Equal(["default", KubernetesConsole.KubeconfigNamespace, KubernetesConsole.OtherNamespace], await namespaces.Locator("option").AllTextContentsAsync());
            Assert.Equal(KubernetesConsole.KubeconfigNamespace, await namespaces.InputValueAsync());
            await namespaces.SelectOptionAsync(KubernetesConsole.OtherNamespace);

            var editor = page.Locator(".cm-content");
            await editor.ClickAsync();
            await page.Keyboard.PressAsync("Control+A");
            var validated = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/stacks/validate", StringComparison.Ordinal), new() { Timeout = 15_000 });
            await page.Keyboard.InsertTextAsync(compose);
            Assert.Equal(200, (await validated).Status);
        }

        await FillFormAsync();
        await AssertAccessibleAsync(page);

        // A review only reads, so a submission Chromium aborted is sent again; the deploy is not (it may have started).
        await page.SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Review" }), page.GetByRole(AriaRole.Heading, new() { Name = $"Review: {stack} on Kubernetes, namespace {KubernetesConsole.OtherNamespace}" }), async () =>
        {
            await page.OpenAsync("/stacks/new");
            await FillFormAsync();
        });
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Deploy {stack}" }).ClickAsync();
        await page.WaitForURLAsync($"**/stacks/kubernetes/{KubernetesConsole.OtherNamespace}/{stack}/deploy");
    }

    [Fact]
    public async Task CreateInANamespaceFromTheCluster_Converges_IsListed_ShowsPods_ScaleThenRemove()
    {
        var stack = $"kb-{Guid.NewGuid():N}"[..16];
        var path = $"/stacks/kubernetes/{KubernetesConsole.OtherNamespace}/{stack}";
        var page = await SignedInPageAsync();

        await CreateOnKubernetesAsync(page, stack, "services:\n  shopfront:\n    image: nginx:1.27\n  queue:\n    image: redis:7\n");
        await page.Locator("#deploy-status.result-ok").WaitForAsync(new() { Timeout = 180_000 });
        Assert.Equal("deployed: every service converged", (await page.Locator("#deploy-status").InnerTextAsync()).Trim());
        Assert.Equal(["shopfront", "queue"], Console.Deployments(KubernetesConsole.OtherNamespace, stack).OrderByDescending(n => n, StringComparer.Ordinal));
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Stacks", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/stacks");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = stack, Exact = true }) });
        Assert.Equal([stack, "Kubernetes", KubernetesConsole.OtherNamespace, "2"], await row.GetByRole(AriaRole.Cell).AllInnerTextsAsync());
        await AssertAccessibleAsync(page);

        await row.GetByRole(AriaRole.Link, new() { Name = stack, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**{path}");
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Pods" }).IsVisibleAsync());
        foreach (var pod in Console.Api.List("pods", KubernetesConsole.OtherNamespace).Select(p => p["metadata"]!["name"]!.ToString()).Where(p => p.StartsWith("shopfront-", StringComparison.Ordinal) || p.StartsWith("queue-", StringComparison.Ordinal)))
        {
            await Assertions.Expect(page.Locator("#tasks tbody tr").Filter(new() { HasText = pod })).ToHaveCountAsync(1);
        }

        await AssertAccessibleAsync(page);

        await page.GetByLabel("Replicas of shopfront").FillAsync("2");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "shopfront" }).GetByRole(AriaRole.Button, new() { Name = "Scale" }).ClickAsync();
        await page.WaitForURLAsync($"**{path}?notice=*");
        Assert.Equal("Scaled shopfront from 1 to 2.", (await page.GetByRole(AriaRole.Status).First.TextContentAsync())?.Trim());
        Assert.Equal(2, Console.Replicas(KubernetesConsole.OtherNamespace, "shopfront"));
        // The second pod appears through the page's event stream, without a reload.
        await Assertions.Expect(page.Locator("#services tr[data-service=shopfront] [data-cell=replicas]")).ToHaveTextAsync("2/2", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#tasks tbody tr").Filter(new() { HasText = "shopfront-" })).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Remove…" }).ClickAsync();
        await page.WaitForURLAsync($"**{path}/remove");
        await AssertAccessibleAsync(page);
        await page.GetByLabel($"Type {stack} to confirm").FillAsync(stack);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove this stack" }).ClickAsync();
        await page.WaitForURLAsync("**/stacks");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = stack, Exact = true })).ToHaveCountAsync(0);
        Assert.Empty(Console.Deployments(KubernetesConsole.OtherNamespace, stack));
    }

    [Fact]
    public async Task AnImageThatCannotBePulled_ShowsImagePullBackOff_OnTheDeployAndStackPages_AfterLeavingAndComingBack()
    {
        var stack = $"kf-{Guid.NewGuid():N}"[..16];
        var path = $"/stacks/kubernetes/{KubernetesConsole.OtherNamespace}/{stack}";
        Console.Api.Controllers.FailPods("unpullable", PodProblem.ImagePullBackOff);
        var page = await SignedInPageAsync();

        await CreateOnKubernetesAsync(page, stack, "services:\n  unpullable:\n    image: berth-test/no-such-image:1\n  steady:\n    image: nginx:1.27\n");
        await page.Locator("#deploy-status.result-failed").WaitForAsync(new() { Timeout = 180_000 });
        // The service's reason first (then the pod events the classifier saw).
        var reason = page.Locator("#deploy-failures li").Filter(new() { HasText = "unpullable: ImagePullBackOff" });
        await Assertions.Expect(reason).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("#deploy-failures li").Filter(new() { HasText = "steady" }).CountAsync());
        await AssertAccessibleAsync(page);

        // Away and back: the deploy page is rendered again from the job's events, with the same reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "Stacks", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/stacks");
        await page.GoBackAsync();
        await page.WaitForURLAsync($"**{path}/deploy");
        await Assertions.Expect(reason).ToHaveCountAsync(1);
        await Assertions.Expect(reason).ToBeVisibleAsync();

        // The stack page names the reason on the failing service's pods, and again after leaving and coming back.
        for (var visit = 0; visit < 2; visit++)
        {
            await page.OpenAsync(path);
            var pods = page.Locator("#tasks tbody tr").Filter(new() { HasText = "unpullable-" });
            await Assertions.Expect(pods.First).ToContainTextAsync("ImagePullBackOff", new() { Timeout = 30_000 });
            Assert.Equal(0, await page.Locator("#tasks tbody tr").Filter(new() { HasText = "steady-" }).Filter(new() { HasText = "ImagePullBackOff" }).CountAsync());
            await AssertAccessibleAsync(page);
            await page.OpenAsync("/stacks");
        }
    }
}
