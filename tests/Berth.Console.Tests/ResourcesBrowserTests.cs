using Microsoft.Playwright;
using static Berth.Console.Tests.PageChecks;

namespace Berth.Console.Tests;

/// <summary>
/// The shared resources page in the real Chromium at a laptop's and a phone's width, with axe-core: Swarm on the real
/// engine, Kubernetes on the API test double (a stand-in for the API server, not a cluster). An admin reaches it from
/// the main navigation and assigns the local node; its labels are restored afterwards.
/// </summary>
[Collection(SwarmNodeLabelsCollection.Name)]
public sealed class ResourcesBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly LocalSwarmNode _node = new();
    private ResourcesTestBed _bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bed = await ResourcesTestBed.StartAsync(withKubernetes: true, Ct);
        _bed.Api!.Seed("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"a-claim-with-a-rather-long-name-for-a-phone-screen","namespace":"team-a"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}}},"status":{"phase":"Pending"}}
            """);
        _bed.Api.Seed("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"shop-db","namespace":"team-a"},"type":"Opaque","data":{"password":"aHVudGVyMg=="}}""");
    }

    public async ValueTask DisposeAsync()
    {
        _node.Dispose();
        await _bed.DisposeAsync();
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task AnAdmin_OpensSharedResources_FromTheNavigation_AndAssignsTheNode(int width, int height)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _bed.Address.ToString(), ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();

        await page.OpenAsync("/login");
        await BrowserSignIn.SubmitLoginAsync(page, "chief", ConsoleServer.Password, "**/", "/login");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Stacks" }).WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Shared resources" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Shared resources" }).WaitForAsync();
        Assert.Equal(1, await page.Locator("#volumes-kubernetes").GetByText("a-claim-with-a-rather-long-name-for-a-phone-screen").CountAsync());
        Assert.Equal(1, await page.Locator("#images-swarm").GetByText("berth-test/busybox:1").CountAsync());
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);

        await page.GetByLabel($"Orchestrator of {_node.Hostname}").SelectOptionAsync("mixed");
        // Setting the same labels again is harmless (same notice), so a submission Chromium aborted is sent again.
        await page.SubmitAsync(page.Locator($"form[action='/resources/nodes/{_node.Hostname}/orchestrator']").GetByRole(AriaRole.Button, new() { Name = "Set" }), "**/resources?notice=*", async () =>
        {
            await page.OpenAsync("/resources");
            await page.GetByLabel($"Orchestrator of {_node.Hostname}").SelectOptionAsync("mixed");
        });
        var status = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "set to Mixed" });
        await status.WaitForAsync();
        Assert.Contains($"Node {_node.Hostname} set to Mixed", await status.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("true", _node.Labels().GetValueOrDefault("com.docker.ucp.orchestrator.kubernetes"));
        Assert.DoesNotContain("hunter2", await page.ContentAsync(), StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        await AssertNoSidewaysScrollAsync(page, width);
    }
}
