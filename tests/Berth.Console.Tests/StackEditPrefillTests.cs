using System.Net;
using System.Text.RegularExpressions;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// The edit page of an existing stack on the real Swarm engine opens with the Compose file of the stack's current
/// revision as its history keeps it (as Portainer's editor does), the config's file kept on the server as the draft's;
/// reviewed unchanged, it plans no change against what runs. A stack deployed by <c>docker stack deploy</c> has no
/// history: the page says so and opens empty.
/// </summary>
public sealed partial class StackEditPrefillTests : IAsyncLifetime
{
    private const string ConfigText = "greeting = hello from the history\n";

    private StackConsole _console = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Compose(string colour) => $$"""
        services:
          web:
            image: berth-test/busybox:1
            command: ["sh", "-c", "echo {{colour}}; sleep 3600"]
            environment:
              COLOUR: {{colour}}
            configs:
              - source: app
                target: /etc/app.conf
        configs:
          app:
            file: ./app.conf
        """;

    public async ValueTask InitializeAsync()
    {
        _console = await StackConsole.StartAsync("prefill-", "services:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n", [("olga", ConsoleRole.Operator)], Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    [Fact]
    public async Task TheEditPage_OpensWithTheCurrentRevisionsFile_AndItsConfigFileKept_AndReviewsWithoutChanges()
    {
        // Two more revisions, with the config's file beside the Compose file: the page must open with the latest.
        await _console.Stack.RedeployAsync(Compose("green"), Ct, [("app.conf", ConfigText)]);
        await _console.Stack.RedeployAsync(Compose("amber"), Ct, [("app.conf", ConfigText)]);
        var history = await _console.Stack.Service.HistoryAsync(_console.Stack.Name, Ct);
        var latest = history.Revisions[^1].Revision;
        using var client = await SignedInAsync("olga");

        using var answer = await client.GetAsync(_console.Stack.Path + "/edit", Ct);
        var page = await answer.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains($"Opened with revision {latest} ", page, StringComparison.Ordinal);
        var compose = WebUtility.HtmlDecode(ComposeField().Match(page).Groups[1].Value);
        Assert.Contains("echo amber", compose, StringComparison.Ordinal);
        Assert.DoesNotContain("echo green", compose, StringComparison.Ordinal);
        Assert.Contains("file: ./app.conf", compose, StringComparison.Ordinal);
        // The config's content stays on the server: the page names the kept file and carries only the draft's id.
        Assert.Contains("Kept from before: app.conf.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("hello from the history", page, StringComparison.Ordinal);
        var draft = DeployForm.DraftOf(page);

        var (status, review) = await DeployForm.ReviewAsync(client, _console.Stack.Name, compose, Ct, draft: draft);

        Assert.True(status == HttpStatusCode.OK, review);
        Assert.Contains("<h2 id=\"review\">Review: ", review, StringComparison.Ordinal);
        Assert.Contains("No changes: what runs matches the file", review, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStackWithoutHistory_OpensEmpty_AndSaysWhy()
    {
        var name = $"prefillnh{Guid.NewGuid():N}"[..20];
        var folder = Directory.CreateTempSubdirectory("berth-console-prefill-").FullName;
        try
        {
            // docker CLI 20.10 still wants a version line.
            var file = Path.Combine(folder, "compose.yaml");
            await File.WriteAllTextAsync(file, "version: \"3.8\"\nservices:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n", Ct);
            var deployed = ToolProcess.Run("/usr/bin/docker", ["stack", "deploy", "--resolve-image", "never", "-c", file, name], withoutAmbient: true);
            Assert.True(deployed.ExitCode == 0, deployed.ToString());
            using var client = await SignedInAsync("olga");

            using var answer = await client.GetAsync($"/stacks/swarm/_/{name}/edit", Ct);
            var page = await answer.Content.ReadAsStringAsync(Ct);

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains($"The form is not prefilled: stack {name} has no history", page, StringComparison.Ordinal);
            Assert.Equal(string.Empty, ComposeField().Match(page).Groups[1].Value);
        }
        finally
        {
            ToolProcess.Run("/usr/bin/docker", ["stack", "rm", name], withoutAmbient: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<HttpClient> SignedInAsync(string name)
    {
        var client = _console.Server.Client();
        using var answer = await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, Ct);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
        return client;
    }

    [GeneratedRegex("<textarea id=\"compose\"[^>]*>([^<]*)</textarea>")]
    private static partial Regex ComposeField();
}
