using System.Text.Json.Nodes;

namespace Berth.StackApi.Tests.Types;

public sealed class StackSummaryTests
{
    [Fact]
    public void Counts_services_lists_ports_and_shows_the_phase()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");

        Assert.Equal((2, "8080:80/tcp,9000/udp", "Available"), StackSummary.Of(stored));
    }

    [Fact]
    public void No_ports_is_a_dash_and_no_status_is_pending()
    {
        var stored = StackTestData.Store(StackTestData.Body("v1alpha3", new JsonObject { ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx" }) }), "v1alpha3");

        Assert.Equal((1, "-", "Pending"), StackSummary.Of(stored));
    }

    [Fact]
    public void A_stack_from_compose_text_is_summarised_from_its_loaded_services()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1beta1"), "v1beta1");

        Assert.Equal((2, "8080:80/tcp", "Progressing"), StackSummary.Of(stored));
    }
}
