using Berth.ApiServer.Security;

namespace Berth.ApiServer.Tests;

public sealed class RequestInfoTests
{
    [Theory]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks/s1", "", "", "get", "ns", "s1", "")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks", "", "", "list", "ns", "", "")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks", "true", "", "watch", "ns", "", "")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/stacks", "", "", "list", "", "", "")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks", "true", "metadata.name=s9", "watch", "ns", "s9", "")]
    [InlineData("POST", "/apis/compose.docker.com/v1beta2/namespaces/ns/stacks", "", "", "create", "ns", "", "")]
    [InlineData("PUT", "/apis/compose.docker.com/v1beta2/namespaces/ns/stacks/s1", "", "", "update", "ns", "s1", "")]
    [InlineData("PATCH", "/apis/compose.docker.com/v1beta2/namespaces/ns/stacks/s1", "", "", "patch", "ns", "s1", "")]
    [InlineData("DELETE", "/apis/compose.docker.com/v1beta2/namespaces/ns/stacks/s1", "", "", "delete", "ns", "s1", "")]
    [InlineData("DELETE", "/apis/compose.docker.com/v1beta2/namespaces/ns/stacks", "", "", "deletecollection", "ns", "", "")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks/s1/status", "", "", "get", "ns", "s1", "status")]
    [InlineData("PUT", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks/s1/scale", "", "", "update", "ns", "s1", "scale")]
    [InlineData("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks/s1/log", "", "", "get", "ns", "s1", "log")]
    public void Parse_ResourceRequests_MapVerbsAsKubernetes(string method, string path, string watch, string fieldSelector, string verb, string ns, string name, string subresource)
    {
        var info = RequestInfo.Parse(method, path, watch, fieldSelector);
        Assert.True(info.IsResourceRequest);
        Assert.Equal(verb, info.Verb);
        Assert.Equal("compose.docker.com", info.ApiGroup);
        Assert.Equal("stacks", info.Resource);
        Assert.Equal(ns, info.Namespace);
        Assert.Equal(name, info.Name);
        Assert.Equal(subresource, info.Subresource);
    }

    [Theory]
    [InlineData("/apis")]
    [InlineData("/apis/compose.docker.com")]
    [InlineData("/apis/compose.docker.com/v1alpha3")]
    [InlineData("/openapi/v3")]
    [InlineData("/version")]
    public void Parse_OtherPaths_AreNonResourceRequests(string path)
    {
        var info = RequestInfo.Parse("GET", path, "", "");
        Assert.False(info.IsResourceRequest);
        Assert.Equal("get", info.Verb);
        Assert.Equal(path, info.Path);
    }

    [Fact]
    public void SubjectAccessReview_CarriesTheAttributesAsTheWebhookAuthorizer()
    {
        var user = new UserInfo("alice", "uid-a", ["dev", UserInfo.AuthenticatedGroup], System.Collections.Immutable.ImmutableDictionary<string, System.Collections.Immutable.ImmutableArray<string>>.Empty.Add("scopes", ["a"]));
        var review = SubjectAccessReviewAuthorizer.Review(user, RequestInfo.Parse("GET", "/apis/compose.docker.com/v1alpha3/namespaces/ns/stacks/s1/status", "", ""));
        Assert.Equal(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice","groups":["dev","system:authenticated"],"uid":"uid-a","extra":{"scopes":["a"]},"resourceAttributes":{"namespace":"ns","verb":"get","group":"compose.docker.com","version":"v1alpha3","resource":"stacks","subresource":"status","name":"s1"}}}""",
            review.ToJsonString());
        var nonResource = SubjectAccessReviewAuthorizer.Review(user with { Extra = user.Extra.Clear(), Uid = null }, RequestInfo.Parse("GET", "/apis", "", ""));
        Assert.Equal("""{"path":"/apis","verb":"get"}""", nonResource["spec"]!["nonResourceAttributes"]!.ToJsonString());
    }
}
