using System.Text;

namespace Berth.Console.Tests;

/// <summary>Reads a server-sent event stream as a browser's EventSource would: "event:" and "data:" lines, a blank line ending each event.</summary>
internal sealed class SseReader : IDisposable
{
    /// <summary>How long a test waits for the next event before failing.</summary>
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(30);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public static async Task<SseReader> OpenAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {response.StatusCode}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>The next event (its type, "message" when unnamed, and its data); fails after the deadline.</summary>
    public async Task<(string Kind, string Data)> NextAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(EventDeadline);
        var kind = "message";
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no event within {EventDeadline.TotalSeconds:0} s");
            }

            if (line is null)
            {
                throw new EndOfStreamException("the event stream ended");
            }

            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return (kind, string.Join('\n', data));
                }

                continue;
            }

            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                kind = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line["data:".Length..].TrimStart(' '));
            }
        }
    }

    /// <summary>Events until <paramref name="count"/> of them satisfied <paramref name="stop"/>; with <c>count</c> 1, the stopping event is the last one returned.</summary>
    public async Task<List<(string Kind, string Data)>> UntilAsync(Func<(string Kind, string Data), bool> stop, CancellationToken cancellationToken, int count = 1)
    {
        var events = new List<(string Kind, string Data)>();
        var matched = 0;
        while (matched < count)
        {
            var next = await NextAsync(cancellationToken);
            events.Add(next);
            if (stop(next))
            {
                matched++;
            }
        }

        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
