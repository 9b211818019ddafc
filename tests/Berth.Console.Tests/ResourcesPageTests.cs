using System.Net;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// The shared resources page on the real Docker engine in Swarm mode (scripts/setup-swarm.sh), the console started
/// without a kubeconfig: the local node, the images present and a volume, network, secret and config this test creates
/// (unique names, removed at the end) are listed; the secret's value never reaches a response; Kubernetes is named as
/// not readable and the Swarm side is still shown.
/// </summary>
public sealed class ResourcesPageTests : IAsyncLifetime
{
    private const string Docker = LocalSwarmNode.Docker;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly string _secretValue = $"swarm-secret-value-{Guid.NewGuid():N}";
    private ResourcesTestBed _bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Volume => $"res-vol-{_suffix}";

    private string Network => $"res-net-{_suffix}";

    private string Secret => $"res-secret-{_suffix}";

    private string Config => $"res-config-{_suffix}";

    public async ValueTask InitializeAsync()
    {
        Run("volume", "create", "--label", "purpose=berth-test", Volume);
        Run("network", "create", "--driver", "overlay", Network);
        Run(["secret", "create", "--label", "purpose=berth-test", Secret, "-"], _secretValue);
        Run(["config", "create", Config, "-"], "config content");
        _bed = await ResourcesTestBed.StartAsync(withKubernetes: false, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _bed.DisposeAsync();
        ToolProcess.Run(Docker, ["secret", "rm", Secret], withoutAmbient: true);
        ToolProcess.Run(Docker, ["config", "rm", Config], withoutAmbient: true);
        ToolProcess.Run(Docker, ["network", "rm", Network], withoutAmbient: true);
        ToolProcess.Run(Docker, ["volume", "rm", Volume], withoutAmbient: true);
    }

    [Fact]
    public async Task AViewer_SeesTheNode_TheImages_AndTheObjectsCreated_WithoutTheSecretValue()
    {
        using var node = new LocalSwarmNode();
        using var client = await _bed.SignedInAsync("victor", Ct);

        using var answer = await client.GetAsync("/resources", Ct);
        var html = await answer.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains($"<td data-label=\"Name\">{node.Hostname}</td>", html, StringComparison.Ordinal);
        Assert.Matches(@"<td data-label=""Swarm"">manager; ready, active; \d+\.\d+", html);
        // One image row lists all its tags; other test assemblies running at the same time tag this image again
        // (RegistryImages.Push), so it may share its row with them.
        Assert.Matches(@">(?:[^<]*, )?berth-test/busybox:1(?:, [^<]*)?</td>", html);
        foreach (var name in new[] { Volume, Network, Secret, Config })
        {
            Assert.Contains($"<td data-label=\"Name\" class=\"name\">{name}</td>", html, StringComparison.Ordinal);
        }

        Assert.Contains("Kubernetes: no kubeconfig found", html, StringComparison.Ordinal);
        Assert.DoesNotContain(_secretValue, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(_secretValue)), html, StringComparison.Ordinal);
        // A viewer is offered no assignment form.
        Assert.DoesNotContain("/orchestrator\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdmin_IsOfferedTheAssignmentForm_AndTheSecretValueIsInNoPage()
    {
        using var node = new LocalSwarmNode();
        using var client = await _bed.SignedInAsync("chief", Ct);

        var pages = new List<string>();
        foreach (var path in new[] { "/resources", "/stacks", "/audit", "/accounts" })
        {
            pages.Add(await client.GetStringAsync(path, Ct));
        }

        Assert.Contains($"action=\"/resources/nodes/{node.Hostname}/orchestrator\"", pages[0], StringComparison.Ordinal);
        Assert.Contains("<a href=\"/resources\">Shared resources</a>", pages[1], StringComparison.Ordinal);
        Assert.All(pages, page => Assert.DoesNotContain(_secretValue, page, StringComparison.Ordinal));
    }

    private static void Run(string[] args, string? input = null)
    {
        var result = ToolProcess.Run(Docker, args, withoutAmbient: true, input: input);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static void Run(params string[] args) => Run(args, null);
}
