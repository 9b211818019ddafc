using System.Net;
using System.Text;
using Berth.Testing;

namespace Berth.Compose.Tests.Support;

/// <summary>The tests' loopback HTTP server (<see cref="LoopbackHttpServer"/>): the handler answers, requests are counted by method, and dispose closes the port.</summary>
public sealed class LoopbackHttpServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheHandlerAnswers_AndRequestsAreCountedByMethod()
    {
        await using var server = LoopbackHttpServer.Start(async (context, ct) =>
        {
            context.Response.StatusCode = context.Request.Url!.AbsolutePath == "/ok" ? 200 : 404;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("path " + context.Request.Url.AbsolutePath), ct);
        });
        using var http = new HttpClient();

        Assert.StartsWith("127.0.0.1:", server.Host, StringComparison.Ordinal);
        Assert.Equal("path /ok", await http.GetStringAsync(new Uri(server.BaseUrl + "/ok"), Ct));
        using var missing = await http.GetAsync(new Uri(server.BaseUrl + "/missing"), Ct);
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(server.BaseUrl + "/ok")), Ct);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(2, server.Requests("GET"));
        Assert.Equal(1, server.Requests("HEAD"));
        Assert.Equal(0, server.Requests("POST"));
    }

    [Fact]
    public async Task Dispose_StopsServing()
    {
        var server = LoopbackHttpServer.Start((context, _) => Task.CompletedTask);
        using var http = new HttpClient();
        using (var answered = await http.GetAsync(new Uri(server.BaseUrl + "/"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await server.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(server.BaseUrl + "/"), Ct));
    }
}
