using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>A webhook call that failed (no answer, TLS refused, not 200, not JSON): the text after "failed to call webhook: ".</summary>
internal sealed class WebhookCallException(string message) : Exception(message);

/// <summary>
/// Calls admission and conversion webhooks as kube-apiserver does (k8s.io/apiserver pkg/util/webhook/client.go):
/// <c>clientConfig.url</c>, or <c>clientConfig.service</c> (namespace, name, port default 443, path) dialled at the URL a
/// test registered for that Service, with TLS ServerName <c>&lt;name&gt;.&lt;namespace&gt;.svc</c> (client.go's serverName)
/// verified against <c>caBundle</c> only; JSON POST without credentials.
/// </summary>
internal sealed class WebhookClient
{
    private readonly ConcurrentDictionary<string, Uri> _services = new(StringComparer.Ordinal);

    public void SetService(string @namespace, string name, int port, Uri url) => _services[$"{@namespace}/{name}:{port}"] = url;

    public JsonObject Post(JsonObject clientConfig, JsonObject body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (target, shownUrl, serverName) = Resolve(clientConfig);
        var roots = new X509Certificate2Collection();
        if (clientConfig["caBundle"]?.ToString() is { Length: > 0 } bundle)
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(bundle)));
        }

        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedByBundle(certificate, errors, roots),
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

        // SocketsHttpHandler takes the TLS server name (SNI and the name checked) from the Host header, not SslOptions.
        request.Headers.Host = serverName;
        try
        {
            using var response = client.Send(request, deadline.Token);
            using var reader = new StreamReader(response.Content.ReadAsStream(deadline.Token), Encoding.UTF8);
            var text = reader.ReadToEnd();
            if (!response.IsSuccessStatusCode)
            {
                // client.go: a non-2xx answer is an error carrying the status and body.
                throw new WebhookCallException($"Post \"{shownUrl}\": an error on the server (\"{text.Trim()}\") has prevented the request from succeeding");
            }

            return JsonNode.Parse(text) as JsonObject ?? throw new WebhookCallException("the webhook answered something that is not a JSON object");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"Post \"{shownUrl}?timeout={(int)timeout.TotalSeconds}s\": context deadline exceeded");
        }
        catch (HttpRequestException error)
        {
            throw new WebhookCallException($"Post \"{shownUrl}\": {Innermost(error).Message}");
        }
        catch (JsonException error)
        {
            throw new WebhookCallException($"the webhook answered invalid JSON: {error.Message}");
        }
    }

    private (Uri Target, string Shown, string ServerName) Resolve(JsonObject clientConfig)
    {
        if (clientConfig["url"]?.ToString() is { Length: > 0 } url)
        {
            var uri = new Uri(url);
            return (uri, url, uri.Host);
        }

        var service = clientConfig["service"] as JsonObject ?? throw new WebhookCallException("clientConfig has neither url nor service");
        var ns = service["namespace"]?.ToString() ?? "";
        var name = service["name"]?.ToString() ?? "";
        var port = service["port"]?.GetValue<int>() ?? 443;
        var path = service["path"]?.ToString() ?? "/";
        var serverName = $"{name}.{ns}.svc";
        var shown = $"https://{serverName}:{port}{path}";
        if (!_services.TryGetValue($"{ns}/{name}:{port}", out var endpoint))
        {
            // What a cluster answers for a Service without endpoints (the service resolver finds no address).
            throw new WebhookCallException($"Post \"{shown}\": service \"{name}\" not found");
        }

        return (new Uri(endpoint, path.TrimStart('/')), shown, serverName);
    }

    /// <summary>Trusts the caBundle's roots only; a name mismatch or other TLS error is never accepted.</summary>
    internal static bool TrustedByBundle(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || roots.Count == 0 || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return errors == SslPolicyErrors.None && certificate is not null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error;
    }
}
