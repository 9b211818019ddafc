using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>A failure talking to the engine, with a message fit for users (never containing secret data).</summary>
public sealed class SwarmEngineException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Connects to the Docker Engine the way the docker CLI does (DOCKER_HOST, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH,
/// the current context, else the local socket) and checks that it is a Swarm manager.
/// </summary>
public static class SwarmEngine
{
    /// <summary>Makes a client. DOCKER_API_VERSION pins the API version, as with the docker CLI.</summary>
    public static DockerClient Connect()
    {
        var builder = new DockerClientBuilder();
        if (System.Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is { Length: > 0 } version && System.Version.TryParse(version, out var parsed))
        {
            builder = builder.WithApiVersion(parsed);
        }

        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new SwarmEngineException($"cannot configure the Docker Engine client: {ex.Message}", ex);
        }
    }

    /// <summary>Fails with a clear message unless the engine answers and this node can manage the Swarm.</summary>
    public static async Task<SystemInfoResponse> RequireManagerAsync(IDockerClient client, CancellationToken cancellationToken)
    {
        var info = await CallAsync(client, c => c.System.GetSystemInfoAsync(cancellationToken)).ConfigureAwait(false);
        if (info.Swarm is null || !info.Swarm.ControlAvailable)
        {
            var state = info.Swarm?.LocalNodeState is { Length: > 0 } s ? s : "inactive";
            throw new SwarmEngineException(
                $"this node is not a swarm manager (swarm state: {state}). Use \"docker swarm init\" or \"docker swarm join\" to connect this node to a swarm, or point DOCKER_HOST at a manager");
        }

        return info;
    }

    /// <summary>Runs an engine call, turning transport failures into one clear message.</summary>
    public static async Task<T> CallAsync<T>(IDockerClient client, Func<IDockerClient, Task<T>> call)
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

    public static async Task CallAsync(IDockerClient client, Func<IDockerClient, Task> call)
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

    public static bool IsNotFound(Exception ex) => ex is DockerApiException { StatusCode: HttpStatusCode.NotFound };

    private static bool IsUnreachable(Exception ex)
        => ex is HttpRequestException or SocketException or IOException or TimeoutException
           || (ex is TaskCanceledException && ex.InnerException is TimeoutException);

    private static SwarmEngineException Unreachable(IDockerClient client, Exception ex)
    {
        var where = client is DockerClient d ? d.Options.Endpoint.ToString() : "the Docker Engine endpoint";
        return new SwarmEngineException($"cannot reach the Docker Engine at {where}: {ex.Message.TrimEnd('.')}. Is dockerd running?", ex);
    }
}
