using Berth.StackApi.Storage;

namespace Berth.StackApi.Tests.Storage;

/// <summary>The label selector text syntax of k8s.io/apimachinery pkg/labels/selector.go.</summary>
public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["tier"] = "front",
        ["example.com/team"] = "a",
        ["replicas"] = "3",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app = web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (web, db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!app", false)]
    [InlineData("app=web,tier=front", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("example.com/team=a", true)]
    [InlineData("replicas>2", true)]
    [InlineData("replicas<2", false)]
    [InlineData("app=web, !missing, tier in (front)", true)]
    public void Matches(string selector, bool expected)
        => Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app=web,")]
    [InlineData("app in web")]
    [InlineData("app in (web")]
    [InlineData("=web")]
    [InlineData("app=web=x")]
    [InlineData("-bad=x")]
    [InlineData("app=-bad-")]
    [InlineData("replicas>x")]
    [InlineData("app web")]
    public void Malformed_IsBadRequest_UnableToParseRequirement(string selector)
    {
        var e = Assert.Throws<StoreException>(() => LabelSelector.Parse(selector));

        Assert.Equal(StoreErrorKind.BadRequest, e.Kind);
        Assert.StartsWith("unable to parse requirement: ", e.Message, StringComparison.Ordinal);
    }
}
