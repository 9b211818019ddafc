using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.Console.Tests;

/// <summary>The create form as a browser posts it: its token and handler from the page, multipart fields and files.</summary>
internal static partial class DeployForm
{
    public static string TwoServices(string command = "[\"sleep\", \"3600\"]") =>
        $"services:\n  web:\n    image: berth-test/busybox:1\n    command: {command}\n  worker:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n";

    /// <summary>POSTs the form to /stacks/new (the Review button); answers the status and the page.</summary>
    public static async Task<(HttpStatusCode Status, string Page)> ReviewAsync(HttpClient client, string name, string compose, CancellationToken cancellationToken, string env = "", string orchestrator = "swarm", string? draft = null, IReadOnlyList<(string Field, string FileName, string Content)>? files = null, string ns = "")
    {
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks/new", cancellationToken);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("stack-edit"), "_handler" },
            { new StringContent(name), "name" },
            { new StringContent(orchestrator), "orchestrator" },
            { new StringContent(ns), "namespace" },
            { new StringContent(compose), "compose" },
            { new StringContent(env), "env" },
            { new StringContent(draft ?? string.Empty), "draft" },
        };
        foreach (var (field, fileName, text) in files ?? [])
        {
            content.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), field, fileName);
        }

        using var answer = await client.PostAsync("/stacks/new", content, cancellationToken);
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The draft id the page carries (the edit form's hidden field).</summary>
    public static string DraftOf(string page) =>
        DraftField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"no draft on the page:\n{page}");

    /// <summary>POSTs the deploy form (the Deploy button) with the page's token.</summary>
    public static async Task<HttpResponseMessage> DeployAsync(HttpClient client, string draft, CancellationToken cancellationToken)
    {
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks/new", cancellationToken);
        return await client.PostAsync("/stacks/deploy", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["draft"] = draft }), cancellationToken);
    }

    /// <summary>Reads the deploy's server-sent events until its "done" event (or the deadline): every event's JSON, in order.</summary>
    public static async Task<List<JsonElement>> EventsUntilDoneAsync(HttpClient client, string stackPath, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        using var request = new HttpRequestMessage(HttpMethod.Get, stackPath + "/deploy/events");
        using var answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/event-stream", answer.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await answer.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<JsonElement>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var e = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                events.Add(e);
                if (e.GetProperty("kind").GetString() == "done")
                {
                    return events;
                }
            }
        }

        throw new InvalidOperationException("the event stream ended without a done event");
    }

    [GeneratedRegex("name=\"draft\" value=\"([0-9a-f]{32})\"")]
    private static partial Regex DraftField();
}
