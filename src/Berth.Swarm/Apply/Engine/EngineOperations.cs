using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply.Engine;

// The Engine API calls Berth makes, grouped and named as Docker.DotNet's operations are, so call sites read the same.
// Paths and parameters: https://docs.docker.com/engine/api/v1.41/ (the API of the engine CI runs, 20.10).

internal sealed class EngineSystem(EngineClient engine)
{
    public Task<SystemInfoResponse> GetSystemInfoAsync(CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Get, "info", null, null, EngineJson.Context.SystemInfoResponse, cancellationToken);
}

internal sealed class EngineSwarm(EngineClient engine)
{
    public async Task<IList<SwarmService>> ListServicesAsync(ServiceListParameters? parameters = null, CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "services", new EngineQuery().Add("filters", parameters?.Filters).Add("status", parameters?.Status), null, EngineJson.Context.SwarmServiceArray, cancellationToken).ConfigureAwait(false);

    public Task<SwarmService> InspectServiceAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Get, $"services/{EngineClient.Segment(id)}", null, null, EngineJson.Context.SwarmService, cancellationToken);

    public Task<ServiceCreateResponse> CreateServiceAsync(ServiceCreateParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return engine.SendAsync(HttpMethod.Post, "services/create", null, Spec(parameters.Service), EngineJson.Context.ServiceCreateResponse, cancellationToken, RegistryAuth(parameters.RegistryAuth));
    }

    public Task<ServiceUpdateResponse> UpdateServiceAsync(string id, ServiceUpdateParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = new EngineQuery().Add("version", parameters.Version).Add("registryAuthFrom", parameters.RegistryAuthFrom).Add("rollback", parameters.Rollback);
        return engine.SendAsync(HttpMethod.Post, $"services/{EngineClient.Segment(id)}/update", query, Spec(parameters.Service), EngineJson.Context.ServiceUpdateResponse, cancellationToken, RegistryAuth(parameters.RegistryAuth));
    }

    public Task RemoveServiceAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Delete, $"services/{EngineClient.Segment(id)}", null, null, cancellationToken);

    /// <summary>The service's logs; multiplexed (stdout and stderr frames) unless the service has a TTY.</summary>
    public async Task<MultiplexedStream> GetServiceLogsAsync(string id, bool tty, ServiceLogsParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = new EngineQuery()
            .Add("stdout", parameters.ShowStdout)
            .Add("stderr", parameters.ShowStderr)
            .Add("since", parameters.Since)
            .Add("timestamps", parameters.Timestamps)
            .Add("follow", parameters.Follow)
            .Add("tail", parameters.Tail)
            .Add("details", parameters.Details);
        var stream = await engine.StreamAsync($"services/{EngineClient.Segment(id)}/logs", query, cancellationToken).ConfigureAwait(false);
        return new MultiplexedStream(stream, !tty);
    }

    public async Task<IList<NodeListResponse>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "nodes", null, null, EngineJson.Context.NodeListResponseArray, cancellationToken).ConfigureAwait(false);

    public Task UpdateNodeAsync(string id, ulong version, NodeUpdateParameters parameters, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Post, $"nodes/{EngineClient.Segment(id)}/update", new EngineQuery().Add("version", (long)version), EngineClient.Json(EngineJson.Serialize(parameters, EngineJson.Context.NodeUpdateParameters)), cancellationToken);

    private static HttpContent Spec(ServiceSpec spec) => EngineClient.Json(EngineJson.Serialize(spec, EngineJson.Context.ServiceSpec));

    /// <summary>X-Registry-Auth: the credentials as JSON in URL-safe base64, as the docker CLI sends them.</summary>
    private static string? RegistryAuth(AuthConfig? auth) =>
        auth is null ? null : System.Convert.ToBase64String(EngineJson.Serialize(auth, EngineJson.Context.AuthConfig)).Replace('+', '-').Replace('/', '_');
}

internal sealed class EngineTasks(EngineClient engine)
{
    public async Task<IList<TaskResponse>> ListAsync(TasksListParameters? parameters = null, CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "tasks", new EngineQuery().Add("filters", parameters?.Filters), null, EngineJson.Context.TaskResponseArray, cancellationToken).ConfigureAwait(false);

    public Task<TaskResponse> InspectAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Get, $"tasks/{EngineClient.Segment(id)}", null, null, EngineJson.Context.TaskResponse, cancellationToken);
}

internal sealed class EngineNetworks(EngineClient engine)
{
    public async Task<IList<NetworkResponse>> ListNetworksAsync(NetworksListParameters? parameters = null, CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "networks", new EngineQuery().Add("filters", parameters?.Filters), null, EngineJson.Context.NetworkResponseArray, cancellationToken).ConfigureAwait(false);

    /// <summary>Sent with CheckDuplicate (<see cref="NetworkCreateCheck"/>): two concurrent deploys must not make two networks of one name.</summary>
    public Task<NetworksCreateResponse> CreateNetworkAsync(NetworksCreateParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var body = NetworkCreateCheck.WithCheckDuplicate(EngineJson.Serialize(parameters, EngineJson.Context.NetworksCreateParameters));
        return engine.SendAsync(HttpMethod.Post, "networks/create", null, EngineClient.Json(body), EngineJson.Context.NetworksCreateResponse, cancellationToken);
    }

    public Task DeleteNetworkAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Delete, $"networks/{EngineClient.Segment(id)}", null, null, cancellationToken);
}

internal sealed class EngineSecrets(EngineClient engine)
{
    public async Task<IList<Secret>> ListAsync(CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "secrets", null, null, EngineJson.Context.SecretArray, cancellationToken).ConfigureAwait(false);

    public Task<SecretCreateResponse> CreateAsync(SwarmSecretSpec body, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Post, "secrets/create", null, EngineClient.Json(EngineJson.Serialize(body, EngineJson.Context.SwarmSecretSpec)), EngineJson.Context.SecretCreateResponse, cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Delete, $"secrets/{EngineClient.Segment(id)}", null, null, cancellationToken);
}

internal sealed class EngineConfigs(EngineClient engine)
{
    public async Task<IList<SwarmConfig>> ListConfigsAsync(CancellationToken cancellationToken = default) =>
        await engine.SendAsync(HttpMethod.Get, "configs", null, null, EngineJson.Context.SwarmConfigArray, cancellationToken).ConfigureAwait(false);

    public Task<SwarmCreateConfigResponse> CreateConfigAsync(SwarmCreateConfigParameters body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return engine.SendAsync(HttpMethod.Post, "configs/create", null, EngineClient.Json(EngineJson.Serialize(body.Config, EngineJson.Context.SwarmConfigSpec)), EngineJson.Context.SwarmCreateConfigResponse, cancellationToken);
    }

    public Task RemoveConfigAsync(string id, CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Delete, $"configs/{EngineClient.Segment(id)}", null, null, cancellationToken);
}

internal sealed class EngineVolumes(EngineClient engine)
{
    public Task<VolumesListResponse> ListAsync(CancellationToken cancellationToken = default) =>
        engine.SendAsync(HttpMethod.Get, "volumes", null, null, EngineJson.Context.VolumesListResponse, cancellationToken);
}

internal sealed class EngineImages(EngineClient engine)
{
    public async Task<IList<ImagesListResponse>> ListImagesAsync(ImagesListParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var query = new EngineQuery().Add("all", parameters.All).Add("filters", parameters.Filters).Add("shared-size", parameters.SharedSize).Add("digests", parameters.Digests);
        return await engine.SendAsync(HttpMethod.Get, "images/json", query, null, EngineJson.Context.ImagesListResponseArray, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class EngineDistribution(EngineClient engine)
{
    /// <summary>The registry's manifest digest for an image reference (the engine asks the registry).</summary>
    public Task<DistributionInspectResponse> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        // The reference is the path itself (distribution/{name}/json), slashes and all, as the docker CLI sends it.
        return engine.SendAsync(HttpMethod.Get, $"distribution/{name}/json", null, null, EngineJson.Context.DistributionInspectResponse, cancellationToken);
    }
}
