using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Berth.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply.Engine;

/// <summary>
/// Berth's own Engine API client against a loopback HTTP server that records each request: the wire format Docker's
/// engine reads (durations in nanoseconds, enum names, filters as a JSON map, X-Registry-Auth as URL-safe base64) and
/// the refusals it turns into <see cref="DockerApiException"/>. The real engine is exercised by the Integration tests.
/// </summary>
public sealed class EngineClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServiceList_SendsFiltersAsJson_AndStatusAsOne_AndReadsTheEngineFormat()
    {
        var recorded = new ConcurrentQueue<Recorded>();
        await using var server = Serve(recorded, HttpStatusCode.OK, """
            [{"ID":"s1","Version":{"Index":7},"CreatedAt":"2026-12-07T10:11:12.123456789Z",
              "Spec":{"Name":"shop_web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:1","Healthcheck":{"Interval":5000000000}},
                "RestartPolicy":{"Condition":"on-failure","Delay":2500000000}}}}]
            """);
        using var client = Connect(server);

        var services = await client.Swarm.ListServicesAsync(
            new ServiceListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["com.docker.stack.namespace=shop"] = true } }, Status = true },
            Ct);

        var service = Assert.Single(services);
        Assert.Equal("shop_web", service.Spec!.Name);
        Assert.Equal(7UL, service.Version!.Index);
        Assert.Equal(TimeSpan.FromSeconds(5), service.Spec.TaskTemplate!.ContainerSpec!.Healthcheck!.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), service.Spec.TaskTemplate.RestartPolicy!.Delay);
        Assert.Equal(new DateTime(2026, 12, 7, 10, 11, 12, DateTimeKind.Utc).AddTicks(1234567), service.CreatedAt!.Value.ToUniversalTime());

        var request = Assert.Single(recorded);
        Assert.Equal("GET /services", $"{request.Method} {request.Path}");
        Assert.Equal("""{"label":{"com.docker.stack.namespace=shop":true}}""", request.Query["filters"]);
        Assert.Equal("1", request.Query["status"]);
    }

    [Fact]
    public async Task ServiceCreate_WritesDurationsInNanoseconds_EnumsByTheEngineNames_AndTheRegistryAuthAsUrlSafeBase64()
    {
        var recorded = new ConcurrentQueue<Recorded>();
        await using var server = Serve(recorded, HttpStatusCode.Created, """{"ID":"new1"}""");
        using var client = Connect(server);
        var spec = new ServiceSpec
        {
            Name = "shop_web",
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec { Image = "nginx:1", StopGracePeriod = TimeSpan.FromSeconds(10) },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(3) },
            },
        };

        // Characters chosen so standard base64 would contain '+' and '/'.
        var created = await client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec, RegistryAuth = new AuthConfig { Username = "u", Password = "?>?>?>~~~" } }, Ct);

        Assert.Equal("new1", created.ID);
        var request = Assert.Single(recorded);
        Assert.Equal("POST /services/create", $"{request.Method} {request.Path}");
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(3_000_000_000, body.RootElement.GetProperty("TaskTemplate").GetProperty("RestartPolicy").GetProperty("Delay").GetInt64());
        Assert.Equal(10_000_000_000, body.RootElement.GetProperty("TaskTemplate").GetProperty("ContainerSpec").GetProperty("StopGracePeriod").GetInt64());
        Assert.False(body.RootElement.TryGetProperty("Mode", out _), "null members are left out, as the engine expects");
        var auth = request.Headers["X-Registry-Auth"]!;
        Assert.DoesNotContain('+', auth);
        Assert.DoesNotContain('/', auth);
        var decoded = System.Convert.FromBase64String(auth.Replace('-', '+').Replace('_', '/'));
        Assert.True(System.Convert.ToBase64String(decoded).IndexOfAny(['+', '/']) >= 0, "the credentials must be ones standard base64 would write with + or /");
        using var credentials = JsonDocument.Parse(decoded);
        Assert.Equal("?>?>?>~~~", credentials.RootElement.GetProperty("password").GetString());
    }

    [Fact]
    public async Task ServiceUpdate_SendsTheVersion_AndTasksReadTheirStateByName()
    {
        var recorded = new ConcurrentQueue<Recorded>();
        await using var server = Serve(recorded, HttpStatusCode.OK, request => request.Path == "/tasks"
            ? """[{"ID":"t1","Status":{"State":"running"},"DesiredState":"shutdown"}]"""
            : """{"Warnings":null}""");
        using var client = Connect(server);

        await client.Swarm.UpdateServiceAsync("svc1", new ServiceUpdateParameters { Service = new ServiceSpec { Name = "x" }, Version = 42, Rollback = "previous" }, Ct);
        var task = Assert.Single(await client.Tasks.ListAsync(new TasksListParameters(), Ct));

        Assert.Equal(TaskState.Running, task.Status!.State);
        Assert.Equal(TaskState.Shutdown, task.DesiredState);
        var update = recorded.First();
        Assert.Equal("POST /services/svc1/update", $"{update.Method} {update.Path}");
        Assert.Equal("42", update.Query["version"]);
        Assert.Equal("previous", update.Query["rollback"]);
        Assert.Null(update.Headers["X-Registry-Auth"]);
        Assert.Null(recorded.Last().Query["filters"]);
    }

    [Fact]
    public async Task ARefusal_IsADockerApiException_WithTheEngineStatusAndBody()
    {
        var recorded = new ConcurrentQueue<Recorded>();
        await using var server = Serve(recorded, HttpStatusCode.Conflict, """{"message":"rpc error: name conflicts with an existing object"}""");
        using var client = Connect(server);

        var refusal = await Assert.ThrowsAsync<DockerApiException>(() => client.Secrets.CreateAsync(new SwarmSecretSpec { Name = "s", Data = Encoding.UTF8.GetBytes("v") }, Ct));

        Assert.Equal(HttpStatusCode.Conflict, refusal.StatusCode);
        Assert.Equal("rpc error: name conflicts with an existing object", SwarmEngine.RefusalMessage(refusal));
    }

    [Fact]
    public async Task DockerApiVersion_PrefixesEveryPath_AndImagesReadUnixSecondsForCreated()
    {
        var recorded = new ConcurrentQueue<Recorded>();
        await using var server = Serve(recorded, HttpStatusCode.OK, """[{"Id":"sha256:abc","RepoTags":["x:1"],"Created":1700000000,"Size":5}]""");
        using var client = SwarmEngine.Connect(name => name switch
        {
            "DOCKER_HOST" => "tcp://" + server.Host,
            "DOCKER_API_VERSION" => "1.41",
            _ => null,
        });

        var image = Assert.Single(await client.Images.ListImagesAsync(new ImagesListParameters(), Ct));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).UtcDateTime, image.Created.ToUniversalTime());
        Assert.Equal("GET /v1.41/images/json", $"{Assert.Single(recorded).Method} {Assert.Single(recorded).Path}");
    }

    [Fact]
    public async Task AnEngineThatNeverAnswers_FailsAsUnreachable_AfterTheRequestTimeout()
    {
        await using var server = LoopbackHttpServer.Start(async (context, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            context.Response.Close();
        });
        using var client = Connect(server);
        client.RequestTimeout = TimeSpan.FromMilliseconds(300);

        var error = await Assert.ThrowsAsync<SwarmEngineException>(() => SwarmEngine.RequireManagerAsync(client, Ct));

        Assert.Contains("cannot reach the Docker Engine at tcp://" + server.Host, error.Message, StringComparison.Ordinal);
        Assert.Contains("no answer to GET /info within 0.3 s", error.Message, StringComparison.Ordinal);
    }

    private static EngineClient Connect(LoopbackHttpServer server) => SwarmEngine.Connect(name => name == "DOCKER_HOST" ? "tcp://" + server.Host : null);

    private static LoopbackHttpServer Serve(ConcurrentQueue<Recorded> recorded, HttpStatusCode status, string json) => Serve(recorded, status, _ => json);

    private static LoopbackHttpServer Serve(ConcurrentQueue<Recorded> recorded, HttpStatusCode status, Func<Recorded, string> answer) =>
        LoopbackHttpServer.Start(async (context, cancellationToken) =>
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new Recorded(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.QueryString, context.Request.Headers, await reader.ReadToEndAsync(cancellationToken));
            recorded.Enqueue(request);
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(answer(request));
            await context.Response.OutputStream.WriteAsync(bytes, cancellationToken);
            context.Response.Close();
        });

    private sealed record Recorded(string Method, string Path, System.Collections.Specialized.NameValueCollection Query, System.Collections.Specialized.NameValueCollection Headers, string Body);
}
