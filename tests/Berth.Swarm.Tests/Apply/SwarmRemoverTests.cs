using System.Net;
using Berth.Swarm.Apply;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// <see cref="SwarmRemover"/> against a stand-in engine (<see cref="FakeEngine"/>): what it deletes, in which order,
/// what it leaves, and how --wait retries and gives up. docker stack rm removes services, secrets, configs, then
/// networks, each selected by the stack's label.
/// </summary>
public sealed class SwarmRemoverTests
{
    private const string Info = """{"ID":"fake","Swarm":{"NodeID":"n1","LocalNodeState":"active","ControlAvailable":true}}""";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static string Labels(string stack) => $$$"""{"com.docker.stack.namespace":"{{{stack}}}"}""";

    /// <summary>An engine holding the objects of stack demo and of stack other, and an unlabelled demo_ lookalike.</summary>
    private static (HttpStatusCode, string) Answer(string method, string path, Func<string, string, (HttpStatusCode, string)?>? overrides = null)
    {
        var unversioned = FakeEngine.Unversioned(path);
        if (overrides?.Invoke(method, unversioned) is { } answer)
        {
            return answer;
        }

        return (method, unversioned) switch
        {
            ("GET", "/info") => (HttpStatusCode.OK, Info),
            ("GET", "/services") => (HttpStatusCode.OK, $$$"""
                [{"ID":"s-web","Spec":{"Name":"demo_web","Labels":{{{Labels("demo")}}}}},
                 {"ID":"s-api","Spec":{"Name":"demo_api","Labels":{{{Labels("demo")}}}}},
                 {"ID":"s-other","Spec":{"Name":"other_web","Labels":{{{Labels("other")}}}}},
                 {"ID":"s-lookalike","Spec":{"Name":"demo_db","Labels":{} } }]
                """),
            ("GET", "/secrets") => (HttpStatusCode.OK, $$$"""
                [{"ID":"x-token","Spec":{"Name":"demo_token-abc","Labels":{{{Labels("demo")}}}}},
                 {"ID":"x-other","Spec":{"Name":"other_token","Labels":{{{Labels("other")}}}}}]
                """),
            ("GET", "/configs") => (HttpStatusCode.OK, $$$"""
                [{"ID":"c-conf","Spec":{"Name":"demo_conf-123","Labels":{{{Labels("demo")}}}}}]
                """),
            ("GET", "/networks") => (HttpStatusCode.OK, $$$"""
                [{"Id":"n-default","Name":"demo_default","Labels":{{{Labels("demo")}}}},
                 {"Id":"n-other","Name":"other_default","Labels":{{{Labels("other")}}}}]
                """),
            ("GET", "/tasks") => (HttpStatusCode.OK, "[]"),
            ("DELETE", _) => (HttpStatusCode.NoContent, string.Empty),
            _ => (HttpStatusCode.NotFound, """{"message":"unexpected request"}"""),
        };
    }

    private static async Task<(IReadOnlyList<string> Removed, List<string> Progress, List<string> Deletes)> RemoveAsync(
        FakeEngine fake, bool wait = false, TimeSpan? timeout = null)
    {
        using var client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? fake.Host : null);
        var progress = new List<string>();
        var removed = await SwarmRemover.RemoveStackAsync(new EngineCalls(client, progress.Add), "demo", wait, timeout ?? TimeSpan.FromSeconds(20), Ct);
        var deletes = fake.Requests.Where(r => r.Method == "DELETE").Select(r => FakeEngine.Unversioned(r.Path)).ToList();
        return (removed, progress, deletes);
    }

    [Fact]
    public async Task RemovesOnlyTheStacksLabelledObjects_ServicesSecretsConfigsThenNetworks()
    {
        await using var fake = FakeEngine.Start((m, p) => Answer(m, p));

        var (removed, progress, deletes) = await RemoveAsync(fake);

        Assert.Equal(["/services/s-api", "/services/s-web", "/secrets/x-token", "/configs/c-conf", "/networks/n-default"], deletes);
        Assert.Equal(["service demo_api", "service demo_web", "secret demo_token-abc", "config demo_conf-123", "network demo_default"], removed);
        Assert.Equal("Removing service demo_api", progress[0]);
        Assert.DoesNotContain(progress, l => l.Contains("other", StringComparison.Ordinal) || l.Contains("demo_db", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnObjectAlreadyGone_CountsAsRemoved_ARefusalIsReportedAndTheRestStillGoes()
    {
        await using var fake = FakeEngine.Start((m, p) => Answer(m, p, (method, path) => (method, path) switch
        {
            ("DELETE", "/services/s-api") => (HttpStatusCode.NotFound, """{"message":"service s-api not found"}"""),
            ("DELETE", "/secrets/x-token") => (HttpStatusCode.BadRequest, """{"message":"rpc error: secret 'demo_token-abc' is in use by the following service: foreign"}"""),
            _ => null,
        }));

        var (removed, progress, deletes) = await RemoveAsync(fake);

        Assert.Equal(5, deletes.Count);
        Assert.Equal(["service demo_api", "service demo_web", "config demo_conf-123", "network demo_default"], removed);
        Assert.Contains("Failed to remove secret demo_token-abc: rpc error: secret 'demo_token-abc' is in use by the following service: foreign", progress);
    }

    [Fact]
    public async Task Wait_RetriesANetworkStillInUse_UntilTasksAndNetworksAreGone()
    {
        var networkDeletes = 0;
        var taskLists = 0;
        await using var fake = FakeEngine.Start((m, p) => Answer(m, p, (method, path) => (method, path) switch
        {
            // The tasks of the removed services stop a moment later; until then the network has active endpoints.
            ("DELETE", "/networks/n-default") when Interlocked.Increment(ref networkDeletes) < 3
                => (HttpStatusCode.Forbidden, """{"message":"error while removing network: network demo_default id n-default has active endpoints"}"""),
            ("GET", "/tasks") => (HttpStatusCode.OK, Interlocked.Increment(ref taskLists) < 2 ? """[{"ID":"t1","ServiceID":"s-web"},{"ID":"t2","ServiceID":"s-web"}]""" : "[]"),
            ("GET", "/networks") when Volatile.Read(ref networkDeletes) >= 3 => (HttpStatusCode.OK, "[]"),
            _ => null,
        }));

        var (removed, progress, _) = await RemoveAsync(fake, wait: true);

        Assert.Equal(3, networkDeletes);
        Assert.Equal("network demo_default", removed[^1]);
        Assert.Equal(["Waiting for 2 tasks and network demo_default to be removed", "Stack demo removed"], progress.Where(l => l.StartsWith("Waiting", StringComparison.Ordinal) || l.StartsWith("Stack", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Wait_GivesUpAtTheTimeout_NamingWhatIsLeft()
    {
        await using var fake = FakeEngine.Start((m, p) => Answer(m, p, (method, path) => (method, path) switch
        {
            ("GET", "/tasks") => (HttpStatusCode.OK, """[{"ID":"t1","ServiceID":"s-web"}]"""),
            _ => null,
        }));

        var error = await Assert.ThrowsAsync<SwarmEngineException>(() => RemoveAsync(fake, wait: true, timeout: TimeSpan.FromSeconds(1)));

        Assert.Equal("stack demo was not fully removed within 1s: 1 task and network demo_default still present. hint: run 'berth stack rm --wait demo' again, or use a longer --timeout", error.Message);
    }

    [Fact]
    public async Task WithoutWait_ANetworkInUse_IsAnError_AfterEverythingElseWasRemoved()
    {
        await using var fake = FakeEngine.Start((m, p) => Answer(m, p, (method, path) => (method, path) switch
        {
            ("DELETE", "/networks/n-default") => (HttpStatusCode.Forbidden, """{"message":"network demo_default id n-default has active endpoints"}"""),
            _ => null,
        }));

        // As docker stack rm, a network that cannot go is an error (the CLI prints the engine's refusal, exit 3).
        var error = await Assert.ThrowsAnyAsync<Docker.DotNet.DockerApiException>(() => RemoveAsync(fake));
        Assert.Contains("has active endpoints", SwarmEngine.RefusalMessage(error), StringComparison.Ordinal);

        var deletes = fake.Requests.Where(r => r.Method == "DELETE").Select(r => FakeEngine.Unversioned(r.Path)).ToList();
        Assert.Equal(["/services/s-api", "/services/s-web", "/secrets/x-token", "/configs/c-conf", "/networks/n-default"], deletes);
    }

    [Fact]
    public async Task NotAManager_RemovesNothing()
    {
        await using var fake = FakeEngine.NotASwarmManager();

        var error = await Assert.ThrowsAsync<SwarmEngineException>(() => RemoveAsync(fake));

        Assert.StartsWith("this node is not a swarm manager", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.Requests, r => r.Method == "DELETE");
    }
}
