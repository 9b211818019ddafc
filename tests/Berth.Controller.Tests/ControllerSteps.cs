using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Controller.Hosting;
using Berth.Controller.Reconcile;
using Berth.Kubernetes.ApiDouble;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Controller.Tests;

/// <summary>
/// The steps the status, events and scale tests share, against berth-apiserver (real etcd) behind the documented
/// Kubernetes API test double (<see cref="FrontFixture"/>, not a cluster), by default with the double's simulated
/// controllers on, so workloads get pods and status.
/// </summary>
internal sealed class ControllerSteps
{
    private static int _users;

    public ControllerSteps(FrontFixture front, bool simulatedPods = true)
    {
        Front = front;
        if (simulatedPods)
        {
            front.Api.Controllers.Enabled = true;
        }
    }

    public FrontFixture Front { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string StackPath(string ns, string? name = null, string version = "v1beta1")
        => $"apis/compose.docker.com/{version}/namespaces/{ns}/stacks" + (name is null ? string.Empty : "/" + name);

    /// <summary>A namespace and a user (token returned) who may do everything in it, or everything but write the apps group.</summary>
    public string NamespaceWithOwner(string ns, bool apps = true)
    {
        Front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        var n = Interlocked.Increment(ref _users);
        var name = $"status-owner{n}";
        var token = $"{name}-token";
        Front.Api.Aggregation.AddUser(token, name, "dev");
        if (apps)
        {
            Front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "*", ["*"], ns));
        }
        else
        {
            Front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "", ["*"], ns));
            Front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "compose.docker.com", ["*"], ns));
            Front.Api.Aggregation.Allow(new RbacRule(name, ["get", "list", "watch"], "apps", ["*"], ns));
        }

        return token;
    }

    /// <summary>The events about the stack <paramref name="name"/>, read as kubectl describe does (a field selector on the involved object).</summary>
    public async Task<List<JsonObject>> EventsAsync(string ns, string name)
    {
        var selector = Uri.EscapeDataString($"involvedObject.name={name},involvedObject.kind=Stack");
        var list = await SendAsync(Front.Api.Token, HttpMethod.Get, $"api/v1/namespaces/{ns}/events?fieldSelector={selector}");
        return [.. (list["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    public async Task CreateStackAsync(string token, string ns, string name, string compose)
    {
        using var client = Front.Client(token);
        var body = new JsonObject
        {
            ["apiVersion"] = "compose.docker.com/v1beta1",
            ["kind"] = "Stack",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["composeFile"] = compose },
        };
        using var response = await client.PostAsync(StackPath(ns), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }

    public async Task<JsonObject> SendAsync(string token, HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var client = Front.Client(token);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType);
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    /// <summary>Reads <paramref name="path"/> as the double's admin until <paramref name="condition"/> holds (60 s deadline).</summary>
    public async Task<JsonObject> WaitForAsync(string path, Func<JsonObject, bool> condition, string what)
    {
        JsonObject? last = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            last = await SendAsync(Front.Api.Token, HttpMethod.Get, path);
            if (condition(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"timed out waiting for {what}; last: {last.ToJsonString()}");
            }
        }
    }

    public async Task<JsonObject> WaitForStatusAsync(string ns, string name, Func<JsonObject, bool> condition, string what)
        => (JsonObject)(await WaitForAsync(StackPath(ns, name), s => s["status"] is JsonObject status && condition(status), what))["status"]!;

    /// <summary>The condition <paramref name="type"/> of a status: "status/reason".</summary>
    public static string? Condition(JsonObject status, string type)
        => (status["conditions"] as JsonArray)?.OfType<JsonObject>().Where(c => c["type"]?.ToString() == type).Select(c => $"{c["status"]}/{c["reason"]}").FirstOrDefault();

    public Berth.Controller.Tests.Reconcile.RunningController StartController(string ns, TimeSpan? resync = null) => new(Front.Kubeconfig, ns, resync ?? TimeSpan.FromMinutes(10));
}
