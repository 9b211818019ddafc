using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Console.Accounts;

namespace Berth.Console.Tests;

/// <summary>
/// /api/stacks/validate and the form's review step, over HTTP: Berth's loader answers the errors at their lines, the
/// JSON endpoint wants the antiforgery token in its header, a viewer is refused, and invalid files are never deployed,
/// not even by a deploy POST made directly (the real Swarm engine is asked afterwards).
/// </summary>
public sealed class DeployValidationTests : IAsyncLifetime
{
    private const string Docker = "/usr/bin/docker";
    private const string Invalid = "services:\n  web:\n    image: berth-test/busybox:1\n    deploy:\n      replicas: many\n";

    private readonly string _stack = $"cv-{Guid.NewGuid():N}"[..16];
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
        await _server.AddAccountAsync("vera", ConsoleRole.Viewer, cancellationToken: Ct);
        await _server.AddAccountAsync("shopper", ConsoleRole.Operator, stackPrefixes: ["shop-"], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpClient> SignedInAsync(string name)
    {
        var client = _server.Client();
        (await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, Ct)).Dispose();
        return client;
    }

    private static HttpRequestMessage Validate(string? token, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/stacks/validate") { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        return request;
    }

    [Fact]
    public async Task Validate_AnswersTheLoadersErrorAtItsLine_OnlyWithTheTokenInTheHeader()
    {
        using var client = await SignedInAsync("olga");
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks/new", Ct);
        var body = new { name = _stack, orchestrator = "swarm", compose = Invalid, env = "" };

        using var withoutToken = await client.SendAsync(Validate(null, body), Ct);
        using var forged = await client.SendAsync(Validate("CfDJ8forged", body), Ct);
        using var answer = await client.SendAsync(Validate(token, body), Ct);
        using var valid = await client.SendAsync(Validate(token, new { name = _stack, orchestrator = "swarm", compose = DeployForm.TwoServices(), env = "" }), Ct);
        using var badName = await client.SendAsync(Validate(token, new { name = "Bad Name", orchestrator = "swarm", compose = DeployForm.TwoServices(), env = "" }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var result = await answer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(result.GetProperty("valid").GetBoolean());
        var error = Assert.Single(result.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal("compose.yaml", error.GetProperty("file").GetString());
        Assert.Equal(5, error.GetProperty("line").GetInt32());
        Assert.True(error.GetProperty("column").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
        Assert.True((await valid.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("valid").GetBoolean());
        var nameResult = await badName.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(nameResult.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "name" && d.GetProperty("file").GetString() == "form");
    }

    [Fact]
    public async Task EnvValues_AndAnUploadedSecretFile_AreUsedByTheLoader_AndTheSecretNeverReachesThePage()
    {
        using var client = await SignedInAsync("olga");
        const string SecretValue = "s3cr3t-value-that-must-not-show";
        var compose = "services:\n  web:\n    image: ${IMAGE}\n    command: [\"sleep\", \"3600\"]\n    secrets: [db]\nsecrets:\n  db:\n    file: ./db.txt\n";

        var (withoutFile, missingPage) = await DeployForm.ReviewAsync(client, _stack, compose, Ct, env: "IMAGE=berth-test/busybox:1\n");
        var (status, page) = await DeployForm.ReviewAsync(client, _stack, compose, Ct, env: "IMAGE=berth-test/busybox:1\n", files: [("resources", "db.txt", SecretValue)]);
        var (again, pageAgain) = await DeployForm.ReviewAsync(client, _stack, compose, Ct, env: "IMAGE=berth-test/busybox:1\n", draft: DeployForm.DraftOf(page));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<td>create</td>", page.Replace(" class=\"action-create\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"Deploy {_stack}", page, StringComparison.Ordinal);
        Assert.Contains("Kept from before: db.txt", pageAgain, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.DoesNotContain(SecretValue, page, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, pageAgain, StringComparison.Ordinal);
        // Without the file the plan cannot read the secret's content; the page says so (or refuses) and offers no deploy.
        Assert.DoesNotContain($"Deploy {_stack}", missingPage, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.InternalServerError, withoutFile);
    }

    [Fact]
    public async Task InvalidFiles_AreShownAtTheirLine_WithoutADeployButton_AndADirectDeployPostIsRefused()
    {
        using var client = await SignedInAsync("olga");

        var (status, page) = await DeployForm.ReviewAsync(client, _stack, Invalid, Ct);
        using var deploy = await DeployForm.DeployAsync(client, DeployForm.DraftOf(page), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("<a href=\"#L5\">compose.yaml, line 5", page, StringComparison.Ordinal);
        Assert.Contains("<li id=\"L5\" class=\"marked\"><code>      replicas: many</code></li>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/stacks/deploy\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, deploy.StatusCode);
        var listed = Berth.Testing.ToolProcess.Run(Docker, ["stack", "ls", "--format", "{{.Name}}"], withoutAmbient: true);
        Assert.Equal(0, listed.ExitCode);
        Assert.DoesNotContain(_stack, listed.ToString(), StringComparison.Ordinal);
        var audit = await _server.Store.ReadAuditAsync(10, Ct);
        Assert.Contains(audit, e => e.Action == "stack.deploy" && e.Actor == "olga" && e.Result == "refused" && e.Target == $"/stacks/swarm/_/{_stack}");
    }

    [Fact]
    public async Task AViewer_AndAnOperatorOutsideItsScope_CannotReviewOrDeploy()
    {
        using var viewer = await SignedInAsync("vera");
        using var olga = await SignedInAsync("olga");
        using var shopper = await SignedInAsync("shopper");
        var (_, page) = await DeployForm.ReviewAsync(olga, _stack, DeployForm.TwoServices(), Ct);
        var draft = DeployForm.DraftOf(page);

        using var viewerPage = await viewer.GetAsync("/stacks/new", Ct);
        var viewerToken = await ConsoleServer.FormTokenAsync(viewer, "/stacks", Ct);
        using var viewerValidate = await viewer.SendAsync(Validate(viewerToken, new { name = _stack, compose = Invalid }), Ct);
        using var viewerDeploy = await viewer.PostAsync("/stacks/deploy", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = viewerToken, ["draft"] = draft }), Ct);
        var (scopeStatus, scopePage) = await DeployForm.ReviewAsync(shopper, _stack, DeployForm.TwoServices(), Ct);
        using var othersDraft = await DeployForm.DeployAsync(shopper, draft, Ct);
        var viewerStacks = await viewer.GetStringAsync("/stacks", Ct);

        Assert.Equal(HttpStatusCode.Redirect, viewerPage.StatusCode);
        Assert.Contains("/denied?", viewerPage.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, viewerValidate.StatusCode);
        Assert.Contains("/denied?", viewerValidate.Headers.Location?.OriginalString, StringComparison.Ordinal);
        // The deploy itself is refused by the endpoint (403, audited), not only hidden.
        Assert.Equal(HttpStatusCode.Forbidden, viewerDeploy.StatusCode);
        Assert.Contains(await _server.Store.ReadAuditAsync(20, Ct), e => e is { Actor: "vera", Action: "stack.deploy", Result: "refused" });
        Assert.DoesNotContain("/stacks/new", viewerStacks, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, scopeStatus);
        Assert.DoesNotContain("action=\"/stacks/deploy\"", scopePage, StringComparison.Ordinal);
        // A draft is its account's: another account's id is unknown to it.
        Assert.Equal(HttpStatusCode.BadRequest, othersDraft.StatusCode);
    }

    [Fact]
    public async Task ADeployPost_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var client = await SignedInAsync("olga");
        var (_, page) = await DeployForm.ReviewAsync(client, _stack, DeployForm.TwoServices(), Ct);

        using var answer = await client.PostAsync("/stacks/deploy", new FormUrlEncodedContent(new Dictionary<string, string> { ["draft"] = DeployForm.DraftOf(page) }), Ct);
        using var signedOut = _server.Client();
        using var anonymous = await signedOut.PostAsync("/stacks/deploy", new FormUrlEncodedContent(new Dictionary<string, string> { ["draft"] = DeployForm.DraftOf(page) }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/login", anonymous.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }
}
