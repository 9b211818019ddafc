using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// A small HTTPS webhook server a test starts (loopback, a certificate for 127.0.0.1 from its own CA) to receive the
/// AdmissionReviews and ConversionReviews the Kubernetes API test double sends: each POST body is recorded and answered
/// by the test's function of (path, body).
/// </summary>
internal sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _ca;

    private TestWebhookServer(WebApplication app, X509Certificate2 ca)
    {
        _app = app;
        _ca = ca;
    }

    public ConcurrentQueue<(string Path, JsonObject Body)> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The CA as a clientConfig.caBundle (base64 PEM).</summary>
    public string CaBundle => Convert.ToBase64String(Encoding.ASCII.GetBytes(_ca.ExportCertificatePem()));

    public static async Task<TestWebhookServer> StartAsync(Func<string, JsonObject, JsonObject> answer, CancellationToken cancellationToken)
    {
        var ca = TestCertificates.CreateCa("webhook-test-ca");
        var leaf = TestCertificates.CreateServer(ca, "127.0.0.1");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(leaf)));
        var app = builder.Build();
        var server = new TestWebhookServer(app, ca);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted))!.AsObject();
            var path = context.Request.Path.Value ?? "/";
            server.Received.Enqueue((path, body));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer(path, body).ToJsonString(), context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>An admission answer: allowed, or denied with a message and code; an optional JSONPatch.</summary>
    public static JsonObject Admission(JsonObject review, bool allowed, string? message = null, int code = 0, JsonArray? patch = null)
    {
        var response = new JsonObject { ["uid"] = review["request"]!["uid"]!.DeepClone(), ["allowed"] = allowed };
        if (!allowed)
        {
            response["status"] = new JsonObject { ["message"] = message, ["code"] = code };
        }

        if (patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ca.Dispose();
    }
}
