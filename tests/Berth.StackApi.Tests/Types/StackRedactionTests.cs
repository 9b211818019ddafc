using System.Text.Json.Nodes;

namespace Berth.StackApi.Tests.Types;

public sealed class StackRedactionTests
{
    private const string Compose = "services:\n  db:\n    image: pg\n    environment:\n      PASSWORD: hunter2\nconfigs:\n  token:\n    content: hunter2\n";

    [Fact]
    public void No_environment_value_or_secret_content_survives_in_any_version()
    {
        var body = StackTestData.Body("v1alpha3", new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "db",
                ["image"] = "pg",
                ["environment"] = new JsonObject { ["PASSWORD"] = "hunter2", ["UNSET"] = null },
            }),
        });
        body["metadata"]!["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = body.ToJsonString() };
        var stored = StackTestData.Store(body, "v1alpha3");
        var fromText = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = Compose }), "v1beta1");

        foreach (var stack in new[] { stored, fromText })
        {
            Assert.Contains("hunter2", stack.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", StackRedaction.Redact(stack).ToJsonString(), StringComparison.Ordinal);
            foreach (var version in StackApiGroup.Versions)
            {
                var encoded = StackCodec.Encode(stack, version);
                Assert.Contains("hunter2", encoded.ToJsonString(), StringComparison.Ordinal);
                Assert.DoesNotContain("hunter2", StackRedaction.Redact(encoded).ToJsonString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Keys_and_the_rest_of_the_stack_stay_and_the_input_is_not_changed()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        var before = stored.ToJsonString();

        var redacted = StackCodec.Encode(StackRedaction.Redact(stored), "v1alpha3");

        Assert.Equal(before, stored.ToJsonString());
        var web = redacted["spec"]!["services"]![0]!;
        Assert.Equal("""{"EMPTY":null,"MODE":"\u003Credacted\u003E"}""", web["environment"]!.ToJsonString());
        Assert.Equal("nginx:1.27", web["image"]!.GetValue<string>());
    }

    [Fact]
    public void Compose_list_environment_keeps_names_only()
    {
        var redacted = StackRedaction.Redact(new JsonObject { ["environment"] = new JsonArray("A=secret", "B") });

        Assert.Equal("""["A=\u003Credacted\u003E","B"]""", redacted["environment"]!.ToJsonString());
    }
}
