using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>A failure talking to the engine, with a message fit for users (never containing secret data).</summary>
internal sealed class SwarmEngineException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What the user can do about it, printed on its own line after the message; null when there is nothing to add.</summary>
    public string? Hint { get; init; }
}

/// <summary>
/// Connects to the Docker Engine the way the docker CLI does (DOCKER_HOST, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH,
/// the current context, else the local socket) and checks that it is a Swarm manager.
/// </summary>
internal static class SwarmEngine
{
    /// <summary>Makes a client for the endpoint the docker CLI would use (<see cref="EngineEndpointResolver"/>). DOCKER_API_VERSION pins the API version.</summary>
    public static EngineClient Connect() => Connect(System.Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Connect()"/>, reading variables from <paramref name="environment"/> instead of the process.</summary>
    public static EngineClient Connect(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = EngineEndpointResolver.Resolve(environment);
        var tls = endpoint.Tls is { } material ? EngineTlsCredentials.Load(material) : null;
        var version = environment("DOCKER_API_VERSION") is { Length: > 0 } text && System.Version.TryParse(text, out var parsed) ? parsed : null;
        return new EngineClient(endpoint, tls, version);
    }

    /// <summary>Fails with a clear message unless the engine answers and this node can manage the Swarm.</summary>
    public static async Task<SystemInfoResponse> RequireManagerAsync(EngineClient client, CancellationToken cancellationToken)
    {
        var info = await CallAsync(client, c => c.System.GetSystemInfoAsync(cancellationToken)).ConfigureAwait(false);
        if (info.Swarm is null || !info.Swarm.ControlAvailable)
        {
            var state = info.Swarm?.LocalNodeState is { Length: > 0 } s ? s : "inactive";
            throw new SwarmEngineException($"this node is not a swarm manager (swarm state: {state})")
            {
                Hint = "use \"docker swarm init\" or \"docker swarm join\" to connect this node to a swarm, or point DOCKER_HOST at a manager",
            };
        }

        return info;
    }

    /// <summary>The engine's own words for a refusal: the "message" of its JSON error body (first line), else the body's first line.</summary>
    public static string RefusalMessage(DockerApiException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var body = ex.ResponseBody ?? string.Empty;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
            {
                body = text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's page, plain text): the body as it is.
        }

        return body.Split('\n')[0].Trim();
    }

    /// <summary>Runs an engine call, turning transport failures into one clear message.</summary>
    public static async Task<T> CallAsync<T>(EngineClient client, Func<EngineClient, Task<T>> call)
    {
        try
        {
            return await call(client).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unreachable(client, ex);
        }
    }

    public static async Task CallAsync(EngineClient client, Func<EngineClient, Task> call)
    {
        try
        {
            await call(client).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unreachable(client, ex);
        }
    }

    /// <summary>The engine's refusal of a Swarm call on a node that is not a manager (503 "This node is not a swarm manager").</summary>
    public static bool IsNotManager(Exception ex)
        => ex is DockerApiException { StatusCode: HttpStatusCode.ServiceUnavailable } api
           && api.ResponseBody?.Contains("not a swarm manager", StringComparison.OrdinalIgnoreCase) == true;

    public static bool IsNotFound(Exception ex) => ex is DockerApiException { StatusCode: HttpStatusCode.NotFound };

    private static bool IsUnreachable(Exception ex)
        => ex is HttpRequestException or SocketException or IOException or TimeoutException or AuthenticationException
           || (ex is TaskCanceledException && ex.InnerException is TimeoutException)
           // A refused tcp:// DOCKER_HOST surfaces as an AggregateException around the socket error.
           || (ex is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnreachable));

    private static SwarmEngineException Unreachable(EngineClient client, Exception ex)
    {
        var where = $"{client.Endpoint.Display} (from {client.Endpoint.Source})";
        if (Find<AuthenticationException>(ex) is { } handshake)
        {
            var reason = client.Tls?.RejectionReason ?? handshake.Message.TrimEnd('.');
            return new SwarmEngineException($"TLS handshake with the Docker Engine at {where} failed: {reason}. Check DOCKER_CERT_PATH and DOCKER_TLS_VERIFY", ex);
        }

        // A missing socket file surfaces as an odd errno text ("Cannot assign requested address"); say what it is.
        var why = client.Endpoint.Host.Scheme == "unix" && !File.Exists(client.Endpoint.Host.AbsolutePath)
            ? $"{client.Endpoint.Host.AbsolutePath} does not exist"
            : Innermost(ex).TrimEnd('.');
        return new SwarmEngineException($"cannot reach the Docker Engine at {where}: {why}. Is dockerd running?", ex);
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>The deepest message says what went wrong ("Connection refused"); the outer ones only that a request failed.</summary>
    private static string Innermost(Exception ex)
    {
        var message = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            message = inner.Message.Length > 0 ? inner.Message : message;
        }

        return message;
    }
}
