using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Autorest;

namespace Berth.Kubernetes.Access;

/// <summary>
/// Turns a failed request into one line for the user: where the server is and which settings were used, what
/// went wrong, and a hint. Only the server's Status message is quoted, never a request body or a credential.
/// </summary>
internal static partial class ApiErrorTranslator
{
    public static KubernetesAccessException? Explain(Exception exception, string server, string source, string? user, string? context)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case KubernetesAccessException access:
                    return access;
                case HttpOperationException http when http.Response is not null:
                    return FromStatus(http, server, source, user, context);
                case AuthenticationException tls:
                    return new KubernetesAccessException(
                        $"cannot reach the Kubernetes API server at {server} ({source}): TLS handshake failed: {KubeconfigResolver.OneLine(tls.Message)}",
                        "check the cluster's certificate-authority in the kubeconfig (and that the server name matches the certificate)",
                        exception);
                case HttpRequestException request when request.InnerException is not AuthenticationException:
                    var reason = request.InnerException is SocketException refused ? SocketReason(refused) : KubeconfigResolver.OneLine(request.Message);
                    return Unreachable(server, source, reason, exception);
                case SocketException socket:
                    return Unreachable(server, source, SocketReason(socket), exception);
                case TaskCanceledException { InnerException: TimeoutException }:
                    return Unreachable(server, source, "the request timed out", exception);
                case TimeoutException:
                    return Unreachable(server, source, "the request timed out", exception);
                case k8s.Exceptions.KubeConfigException or k8s.Exceptions.KubernetesClientException:
                    // Raised while getting credentials for a request (an exec plugin or token file failing).
                    return new KubernetesAccessException(
                        $"cannot get credentials for {Who(user, context)} ({source}): {KubeconfigResolver.OneLine(current.Message)}",
                        "check the kubeconfig's user entry (exec plugin installed and logged in, token file readable)",
                        exception);
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return Explain(aggregate.InnerExceptions[0], server, source, user, context);
                default:
                    break;
            }
        }

        return null;
    }

    private static KubernetesAccessException Unreachable(string server, string source, string reason, Exception inner)
        => new($"cannot reach the Kubernetes API server at {server} ({source}): {reason}",
            "check that the cluster is running and the kubeconfig's server address is right (kubectl cluster-info)", inner);

    private static string SocketReason(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.TimedOut => "connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
        _ => KubeconfigResolver.OneLine(socket.Message),
    };

    private static KubernetesAccessException FromStatus(HttpOperationException http, string server, string source, string? user, string? context)
    {
        var code = http.Response.StatusCode;
        var message = StatusMessage(http.Response.Content);
        var who = Who(user, context);
        switch (code)
        {
            case HttpStatusCode.Unauthorized:
                return new KubernetesAccessException(
                    $"the cluster at {server} refused the credentials of {who} (401 Unauthorized): they are missing, invalid or expired",
                    "log in again or refresh the kubeconfig's credentials (e.g. your cloud's get-credentials command), or pick another --context",
                    http);
            case HttpStatusCode.Forbidden:
                var refused = Refusal(message, http);
                return new KubernetesAccessException(
                    $"forbidden: {refused} (RBAC, {who})",
                    "ask a cluster administrator for a Role/RoleBinding granting that verb on that resource, or use another --context",
                    http);
            default:
                var text = message ?? http.Response.ReasonPhrase ?? code.ToString();
                return new KubernetesAccessException(
                    $"the Kubernetes API server at {server} answered {(int)code} {code}: {KubeconfigResolver.OneLine(text)}",
                    (int)code >= 500 ? "the server failed; retry, and check the cluster's health if it persists" : null,
                    http);
        }
    }

    private static string Who(string? user, string? context) => (user, context) switch
    {
        (not null, not null) => $"user \"{user}\" (context \"{context}\")",
        (not null, null) => user,
        (null, not null) => $"context \"{context}\"",
        _ => "the configured user",
    };

    /// <summary>"cannot patch deployments.apps in namespace "ns"" from the server's message, else from the request.</summary>
    private static string Refusal(string? message, HttpOperationException http)
    {
        if (message is not null && ForbiddenMessage().Match(message) is { Success: true } match)
        {
            var resource = match.Groups["group"].Value.Length == 0 ? match.Groups["resource"].Value : $"{match.Groups["resource"].Value}.{match.Groups["group"].Value}";
            var scope = match.Groups["ns"].Success ? $" in namespace \"{match.Groups["ns"].Value}\"" : " at cluster scope";
            return $"cannot {match.Groups["verb"].Value} {resource}{scope}";
        }

        var request = http.Request;
        var path = request?.RequestUri?.AbsolutePath ?? "?";
        return message is not null ? KubeconfigResolver.OneLine(message) : $"{request?.Method} {path} was refused";
    }

    private static string? StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("""cannot (?<verb>[a-z]+) resource "(?<resource>[^"]+)" in API group "(?<group>[^"]*)"(?: in the namespace "(?<ns>[^"]+)")?""")]
    private static partial Regex ForbiddenMessage();
}
