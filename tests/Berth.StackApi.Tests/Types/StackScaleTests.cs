using System.Text.Json.Nodes;

namespace Berth.StackApi.Tests.Types;

public sealed class StackScaleTests
{
    [Fact]
    public void Replicas_default_to_one_and_global_services_are_minus_one()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        stored["spec"]!["stack"]!["services"]!.AsArray().Add(new JsonObject { ["name"] = "cron", ["image"] = "busybox" });

        Assert.Equal(new Dictionary<string, int> { ["cron"] = 1, ["web"] = 3, ["worker"] = -1 }, StackScale.GetReplicas(stored));
    }

    [Fact]
    public void SetReplicas_changes_only_the_named_services()
    {
        var stored = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx\n  db:\n    image: pg\n" }), "v1beta1");

        Assert.Empty(StackScale.SetReplicas(stored, new Dictionary<string, int> { ["web"] = 5 }));

        Assert.Equal(new Dictionary<string, int> { ["db"] = 1, ["web"] = 5 }, StackScale.GetReplicas(stored));
        var web = StackCodec.Encode(stored, "v1alpha3")["spec"]!["services"]![1]!;
        Assert.Equal("""{"replicas":5,"resources":{},"placement":{}}""", web["deploy"]!.ToJsonString());

        // The Compose text no longer describes the stack: v1beta1 shows text generated from the structure.
        Assert.Contains("\"replicas\": 5", StackComposeFile.GetText(stored)!, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_service_is_an_error_and_nothing_changes()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        var before = stored.ToJsonString();

        var errors = StackScale.SetReplicas(stored, new Dictionary<string, int> { ["web"] = 2, ["nope"] = 1, ["worker"] = 2 });

        Assert.Equal([("FieldValueNotFound", "spec[nope]"), ("FieldValueForbidden", "spec[worker]")], errors.Select(e => (e.Type, e.Field)));
        Assert.Equal(before, stored.ToJsonString());
    }
}
