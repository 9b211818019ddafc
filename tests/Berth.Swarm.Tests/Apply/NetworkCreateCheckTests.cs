using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Swarm.Apply;
using Berth.Swarm.Tests.Support;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// Network creates carry <c>CheckDuplicate: true</c> (engine API 1.41; the docker CLI sends it below 1.44), seen on the
/// wire by a stand-in engine: Docker.DotNet's models no longer have the field, so Berth adds it to the request.
/// </summary>
public sealed class NetworkCreateCheckTests
{
    [Fact]
    public async Task NetworkCreate_SendsCheckDuplicate_AndKeepsTheRestOfTheRequest()
    {
        await using var engine = FakeEngine.Start((_, _) => (HttpStatusCode.Created, """{"Id":"n1","Warning":""}"""));
        using var client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? engine.Host : null);

        var created = await client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = "s_default",
            Driver = "overlay",
            Labels = new Dictionary<string, string> { ["com.docker.stack.namespace"] = "s" },
        }, TestContext.Current.CancellationToken);

        Assert.Equal("n1", created.ID);
        var request = Assert.Single(engine.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/networks/create", FakeEngine.Unversioned(request.Path));
        using var body = JsonDocument.Parse(request.Body);
        Assert.True(body.RootElement.GetProperty("CheckDuplicate").GetBoolean());
        Assert.Equal("s_default", body.RootElement.GetProperty("Name").GetString());
        Assert.Equal("overlay", body.RootElement.GetProperty("Driver").GetString());
        Assert.Equal("s", body.RootElement.GetProperty("Labels").GetProperty("com.docker.stack.namespace").GetString());
    }

    [Fact]
    public async Task OtherRequests_AreSentAsTheyWere()
    {
        await using var engine = FakeEngine.Start((_, _) => (HttpStatusCode.Created, """{"ID":"s1"}"""));
        using var client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? engine.Host : null);

        await client.Secrets.CreateAsync(new SwarmSecretSpec { Name = "x", Data = Encoding.UTF8.GetBytes("v") }, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("CheckDuplicate", Assert.Single(engine.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void WithCheckDuplicate_LeavesABodyThatIsNotAJsonObjectAlone()
    {
        var notJson = Encoding.UTF8.GetBytes("not json");
        Assert.Equal(notJson, NetworkCreateCheck.WithCheckDuplicate(notJson));
        Assert.Equal("[1]"u8.ToArray(), NetworkCreateCheck.WithCheckDuplicate("[1]"u8.ToArray()));
    }
}
