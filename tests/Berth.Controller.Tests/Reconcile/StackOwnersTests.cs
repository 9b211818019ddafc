using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Controller.Reconcile;
using Berth.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>
/// How the controller reads an aggregated stack's owner (GET stacks/owner) when the answer is not an owner. The
/// answers come from a loopback listener that plays berth-apiserver behind the aggregator for this one path
/// (a stand-in for a single response, not a cluster).
/// </summary>
public sealed class StackOwnersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly StackKey Key = new("team", "web");

    private static readonly JsonObject Stack = JsonNode.Parse("""{"metadata":{"name":"web","namespace":"team"}}""")!.AsObject();

    [Fact]
    public async Task ARefusedOwnerRead_NamesTheRefusal_AndIsRetried_NotTakenForAMissingOwner()
    {
        var recorded = await OwnerAnsweredAsync(HttpStatusCode.Forbidden, """{"kind":"Status","status":"Failure","reason":"Forbidden","message":"stacks.compose.docker.com \"web\" is forbidden: User \"system:serviceaccount:berth-system:berth-controller\" cannot get resource \"stacks/owner\""}""");

        Assert.Null(recorded.Owner);
        Assert.True(recorded.Retry);
        Assert.False(recorded.Reported);
        Assert.Contains("may not read the stack's owner (get stacks/owner)", recorded.Missing, StringComparison.Ordinal);
        Assert.Contains("cannot get resource \"stacks/owner\"", recorded.Missing, StringComparison.Ordinal);
        Assert.DoesNotContain("no owner is recorded", recorded.Missing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task AServerFailure_IsRetried_NotTakenForAMissingOwner(HttpStatusCode status)
    {
        var recorded = await OwnerAnsweredAsync(status, """{"kind":"Status","status":"Failure","message":"etcd is unavailable"}""");

        Assert.Null(recorded.Owner);
        Assert.True(recorded.Retry);
        Assert.Equal("cannot read the stack's owner (stacks/owner): etcd is unavailable", recorded.Missing);
    }

    [Fact]
    public async Task NotFound_MeansNoOwnerIsRecorded_AndIsNotRetried()
    {
        var recorded = await OwnerAnsweredAsync(HttpStatusCode.NotFound, """{"kind":"Status","status":"Failure","reason":"NotFound","message":"not found"}""");

        Assert.Null(recorded.Owner);
        Assert.False(recorded.Retry);
        Assert.StartsWith("no owner is recorded", recorded.Missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOwner_IsImpersonatedWithItsGroupsAndExtra()
    {
        var recorded = await OwnerAnsweredAsync(HttpStatusCode.OK, """{"kind":"Owner","owner":{"UserName":"alice","Groups":["dev","system:authenticated"],"Extra":{"scopes":["a"]}}}""");

        var owner = Assert.IsType<Berth.Kubernetes.Access.Impersonation>(recorded.Owner);
        Assert.Equal("alice", owner.User);
        Assert.Equal(["dev", "system:authenticated"], owner.Groups);
        Assert.Equal(["a"], owner.Extra["scopes"]);
        Assert.False(recorded.Retry);
    }

    private static async Task<RecordedOwner> OwnerAnsweredAsync(HttpStatusCode status, string body)
    {
        var paths = new List<string>();
        await using var server = LoopbackHttpServer.Start(
            async (context, ct) =>
            {
                paths.Add(context.Request.Url!.AbsolutePath);
                context.Response.StatusCode = (int)status;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body), ct);
            });

        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = server.BaseUrl });
        var owners = new StackOwners(StackSource.Aggregated, client, NullLogger.Instance);
        var recorded = await owners.OwnerAsync(Key, Stack, Ct);
        Assert.Equal(["/apis/compose.docker.com/v1beta2/namespaces/team/stacks/web/owner"], paths);
        Assert.Equal(1, server.Requests("GET"));
        return recorded;
    }
}
