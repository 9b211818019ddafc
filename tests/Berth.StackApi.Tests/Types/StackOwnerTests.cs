using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi.Tests.Types;

public sealed class StackOwnerTests
{
    [Fact]
    public void Owner_object_is_compose_on_kubernetes_owner_with_untagged_keys()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");

        StackOwner.Set(stored, StackTestData.Alice);

        Assert.Equal(
            """{"kind":"Owner","apiVersion":"compose.docker.com/v1beta2","metadata":{"creationTimestamp":null},"owner":{"UserName":"alice","Groups":["devs","system:authenticated"],"Extra":{"scopes":["a","b"]}}}""",
            StackOwner.GetOwnerObject(stored, "v1beta2")!.ToJsonString());
        Assert.Equal(StackTestData.Alice.Uid, StackOwner.Get(stored)!.Uid);
    }

    [Fact]
    public void Set_overwrites_the_owner_and_a_body_cannot_set_it()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        StackOwner.Set(stored, StackTestData.Alice);

        // A client naming an owner in the body: not a field of any version, so unknown and dropped; the stored one stays.
        var body = StackCodec.Encode(stored, "v1alpha3");
        body["spec"]!["owner"] = new JsonObject { ["UserName"] = "mallory" };
        var result = StackCodec.Decode(body, "v1alpha3", stored);
        Assert.Contains("spec.owner", result.UnknownFields);
        Assert.Equal("alice", StackOwner.Get(result.Stored!)!.Name);

        StackOwner.Set(result.Stored!, new StackUser("bob", null, [], ImmutableDictionary<string, ImmutableArray<string>>.Empty));
        Assert.Equal("""{"UserName":"bob","Groups":null,"Extra":null}""", StackOwner.GetOwnerObject(result.Stored!, "v1alpha3")!["owner"]!.ToJsonString());
    }

    [Fact]
    public void No_recorded_owner_is_null()
    {
        Assert.Null(StackOwner.GetOwnerObject(StackTestData.Store(StackTestData.Load("v1beta1"), "v1beta1"), "v1beta1"));
    }
}
