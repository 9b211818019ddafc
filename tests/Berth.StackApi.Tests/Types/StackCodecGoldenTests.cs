using System.Text.Json.Nodes;

namespace Berth.StackApi.Tests.Types;

public sealed class StackCodecGoldenTests
{
    [Theory]
    [InlineData("v1alpha3")]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public void Golden_stack_decodes_and_re_encodes_to_the_same_json(string version)
    {
        var golden = StackTestData.Load(version);

        var decoded = StackCodec.Decode(golden, version, existingStored: null);

        Assert.Empty(decoded.Errors);
        Assert.Empty(decoded.UnknownFields);
        Assert.Equal("compose.docker.com/storage", decoded.Stored!["apiVersion"]!.GetValue<string>());
        Assert.Equal(StackTestData.Canonical(golden), StackTestData.Canonical(StackCodec.Encode(decoded.Stored, version)));
    }

    [Fact]
    public void Encode_writes_fields_in_go_struct_order()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");

        var web = StackCodec.Encode(stored, "v1alpha3")["spec"]!["services"]![0]!.AsObject();

        Assert.Equal(
            ["name", "cap_add", "cap_drop", "command", "configs", "deploy", "entrypoint", "environment", "extra_hosts", "hostname", "health_check", "image", "ipc", "labels", "pid", "ports", "privileged", "read_only", "secrets", "stdin_open", "stop_grace_period", "tmpfs", "tty", "user", "volumes", "working_dir", "pull_secret", "pull_policy", "internal_ports", "internal_service_type"],
            web.Select(e => e.Key));
        Assert.Equal(["OperatingSystem", "Architecture", "Hostname", "MatchLabels"], web["deploy"]!["placement"]!["constraints"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public void Omitempty_drops_zero_values_but_keeps_set_pointers_and_struct_values()
    {
        var body = StackTestData.Body("v1alpha3", new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["image"] = "nginx",
                ["hostname"] = "",
                ["privileged"] = false,
                ["tmpfs"] = new JsonArray(),
                ["labels"] = new JsonObject(),
                ["user"] = 0,
                ["stop_grace_period"] = 0,
                ["deploy"] = new JsonObject { ["replicas"] = 0, ["placement"] = new JsonObject { ["constraints"] = new JsonObject() } },
                ["ports"] = new JsonArray(new JsonObject { ["target"] = 80, ["published"] = 0 }),
            }),
        });

        var web = StackCodec.Encode(StackTestData.Store(body, "v1alpha3"), "v1alpha3")["spec"]!["services"]![0]!;

        Assert.Equal(
            """{"name":"web","deploy":{"replicas":0,"resources":{},"placement":{"constraints":{"OperatingSystem":null,"Architecture":null,"Hostname":null,"MatchLabels":null}}},"image":"nginx","ports":[{"target":80}],"stop_grace_period":0,"user":0}""",
            web.ToJsonString());
    }

    [Fact]
    public void Null_elements_become_go_zero_values_and_null_environment_values_stay()
    {
        var body = StackTestData.Body("v1alpha3", new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["image"] = "nginx",
                ["command"] = new JsonArray("a", null),
                ["environment"] = new JsonObject { ["B"] = null, ["A"] = "1" },
                ["labels"] = new JsonObject { ["x"] = null },
            }),
        });

        var web = StackCodec.Encode(StackTestData.Store(body, "v1alpha3"), "v1alpha3")["spec"]!["services"]![0]!;

        Assert.Equal("""["a",""]""", web["command"]!.ToJsonString());
        Assert.Equal("""{"A":"1","B":null}""", web["environment"]!.ToJsonString());
        Assert.Equal("""{"x":""}""", web["labels"]!.ToJsonString());
    }

    [Fact]
    public void Unknown_fields_are_listed_by_path_and_dropped()
    {
        var body = StackTestData.Body("v1beta2", new JsonObject
        {
            ["x"] = 1,
            ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx", ["pull_secret"] = "regcred", ["Image"] = "other" }),
            ["secrets"] = new JsonObject { ["db"] = new JsonObject { ["file"] = "./db.txt", ["bogus"] = 1 } },
        });
        body["extra"] = true;
        body["metadata"]!["bogus"] = "1";

        var result = StackCodec.Decode(body, "v1beta2", existingStored: null);

        Assert.Empty(result.Errors);
        Assert.Equal(["extra", "metadata.bogus", "spec.x", "spec.services[0].pull_secret", "spec.services[0].Image", "spec.secrets.db.bogus"], result.UnknownFields);
        var encoded = StackCodec.Encode(result.Stored!, "v1alpha3");
        Assert.Equal("""[{"name":"web","deploy":{"resources":{},"placement":{}},"image":"nginx"}]""", encoded["spec"]!["services"]!.ToJsonString());
    }

    [Fact]
    public void Wrong_types_are_errors_with_the_field_path()
    {
        var body = StackTestData.Body("v1alpha3", new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject
            {
                ["name"] = 5,
                ["image"] = "nginx",
                ["ports"] = new JsonArray(new JsonObject { ["target"] = -1 }),
                ["deploy"] = new JsonObject { ["replicas"] = "3" },
                ["stop_grace_period"] = "10s",
            }),
        });
        body["apiVersion"] = "compose.docker.com/v1beta2";

        var result = StackCodec.Decode(body, "v1alpha3", existingStored: null);

        Assert.Equal(
            ["apiVersion", "spec.services[0].name", "spec.services[0].deploy.replicas", "spec.services[0].ports[0].target", "spec.services[0].stop_grace_period"],
            result.Errors.Select(e => e.Field));
        Assert.All(result.Errors.Skip(1), e => Assert.Equal("FieldValueTypeInvalid", e.Type));
        Assert.Equal("Invalid value: \"10s\": must be an integer (nanoseconds)", result.Errors[^1].Message);
    }

    [Fact]
    public void Metadata_of_the_wrong_type_is_an_error_and_is_not_stored()
    {
        var body = StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx\n" });
        body["metadata"]!["name"] = 5;
        body["metadata"]!["labels"] = new JsonObject { ["a"] = 1 };
        body["metadata"]!["generation"] = "2";

        var result = StackCodec.Decode(body, "v1beta1", existingStored: null);

        Assert.Equal(["metadata.name", "metadata.labels", "metadata.generation"], result.Errors.Select(e => e.Field));
        Assert.Equal("""{"namespace":"default"}""", result.Stored!["metadata"]!.ToJsonString());
        Assert.Equal("metadata.name", Assert.Single(StackValidator.Validate(result.Stored)).Field);
    }

    [Fact]
    public void Encode_sets_api_version_and_kind_and_copies_metadata()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        StackOwner.Set(stored, StackTestData.Alice);

        foreach (var version in StackApiGroup.Versions)
        {
            var encoded = StackCodec.Encode(stored, version);
            Assert.Equal($"compose.docker.com/{version}", encoded["apiVersion"]!.GetValue<string>());
            Assert.Equal("Stack", encoded["kind"]!.GetValue<string>());
            Assert.Equal(stored["metadata"]!.ToJsonString(), encoded["metadata"]!.ToJsonString());
            Assert.DoesNotContain("alice", encoded.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void V1beta1_always_writes_spec_and_status_and_structured_versions_omit_them()
    {
        var body = new JsonObject { ["apiVersion"] = "compose.docker.com/v1alpha3", ["kind"] = "Stack", ["metadata"] = new JsonObject { ["name"] = "empty" } };
        var stored = StackTestData.Store(body, "v1alpha3");

        Assert.Equal("""{"kind":"Stack","apiVersion":"compose.docker.com/v1beta1","metadata":{"name":"empty"},"spec":{},"status":{}}""", StackCodec.Encode(stored, "v1beta1").ToJsonString());
        Assert.Equal("""{"kind":"Stack","apiVersion":"compose.docker.com/v1beta2","metadata":{"name":"empty"}}""", StackCodec.Encode(stored, "v1beta2").ToJsonString());
    }
}
