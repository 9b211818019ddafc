using System.Text.Json.Nodes;
using Berth.StackApi.Tests.Types;

namespace Berth.StackApi.Tests.Conversion;

public sealed class StackConversionTests
{
    private const string ComposeFile = """
        services:
          web:
            image: nginx:1.27
            environment:
              MODE: prod
            ports:
              - "8080:80"
            deploy:
              replicas: 2
              update_config:
                parallelism: 1
              placement:
                constraints: ["node.hostname == node-1"]
            healthcheck:
              test: curl -f http://localhost
              interval: 1m30s
            x-kubernetes:
              pull_secret: regcred
          db:
            image: postgres:16
            volumes:
              - data:/var/lib/postgresql/data
        volumes:
          data: {}
        """;

    public static TheoryData<string, string> VersionPairs()
    {
        var pairs = new TheoryData<string, string>();
        foreach (var written in StackApiGroup.Versions)
        {
            foreach (var read in StackApiGroup.Versions)
            {
                pairs.Add(written, read);
            }
        }

        return pairs;
    }

    [Theory]
    [MemberData(nameof(VersionPairs))]
    public void Reading_in_any_version_and_writing_it_back_loses_nothing(string written, string read)
    {
        var stored = StackTestData.Store(StackTestData.Load(written), written);
        StackOwner.Set(stored, StackTestData.Alice);

        var rewritten = StackTestData.Store(StackCodec.Encode(stored, read), read, stored);

        foreach (var version in StackApiGroup.Versions)
        {
            Assert.Equal(StackTestData.Canonical(StackCodec.Encode(stored, version)), StackTestData.Canonical(StackCodec.Encode(rewritten, version)));
        }

        Assert.Equal(StackTestData.Canonical(stored["spec"]), StackTestData.Canonical(rewritten["spec"]));
    }

    [Fact]
    public void V1alpha3_reads_back_in_v1beta2_without_the_alpha_fields()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");

        var v1beta2 = StackCodec.Encode(stored, "v1beta2");

        Assert.Equal(StackTestData.Canonical(StackTestData.Load("v1beta2")), StackTestData.Canonical(v1beta2));
    }

    [Fact]
    public void V1beta2_write_keeps_the_v1alpha3_only_fields_of_the_stored_stack()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        var read = StackCodec.Encode(stored, "v1beta2");
        read["spec"]!["services"]![0]!["image"] = "nginx:1.28";

        var updated = StackTestData.Store(read, "v1beta2", stored);

        var v1alpha3 = StackCodec.Encode(updated, "v1alpha3");
        var web = v1alpha3["spec"]!["services"]![0]!;
        Assert.Equal("nginx:1.28", web["image"]!.GetValue<string>());
        Assert.Equal("regcred", web["pull_secret"]!.GetValue<string>());
        Assert.Equal("IfNotPresent", web["pull_policy"]!.GetValue<string>());
        Assert.Equal("""[{"port":81,"protocol":"TCP"}]""", web["internal_ports"]!.ToJsonString());
        Assert.Equal("ClusterIP", web["internal_service_type"]!.GetValue<string>());

        // Everything else is exactly the golden stack with the new image.
        var expected = StackTestData.Load("v1alpha3");
        expected["spec"]!["services"]![0]!["image"] = "nginx:1.28";
        Assert.Equal(StackTestData.Canonical(expected["spec"]), StackTestData.Canonical(v1alpha3["spec"]));
    }

    [Fact]
    public void V1beta2_write_of_a_new_service_has_no_alpha_fields()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        var read = StackCodec.Encode(stored, "v1beta2");
        read["spec"]!["services"]![0]!["name"] = "front";

        var updated = StackTestData.Store(read, "v1beta2", stored);

        Assert.Null(StackCodec.Encode(updated, "v1alpha3")["spec"]!["services"]![0]!["pull_secret"]);
    }

    [Fact]
    public void V1beta1_create_from_compose_text_reads_back_structured_in_v1beta2_and_v1alpha3()
    {
        var stored = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = ComposeFile }), "v1beta1");

        var v1alpha3 = StackCodec.Encode(stored, "v1alpha3");
        var v1beta2 = StackCodec.Encode(stored, "v1beta2");

        // compose-on-kubernetes's fallback (internal/conversions/v1alpha3.go) returned on success: never filled.
        var services = v1alpha3["spec"]!["services"]!.AsArray();
        Assert.Equal(["db", "web"], services.Select(s => s!["name"]!.GetValue<string>()));
        var web = services[1]!;
        Assert.Equal("nginx:1.27", web["image"]!.GetValue<string>());
        Assert.Equal("""{"MODE":"prod"}""", web["environment"]!.ToJsonString());
        Assert.Equal("""[{"mode":"ingress","target":80,"published":8080,"protocol":"tcp"}]""", web["ports"]!.ToJsonString());
        Assert.Equal(2, web["deploy"]!["replicas"]!.GetValue<long>());
        Assert.Equal(1, web["deploy"]!["update_config"]!["paralellism"]!.GetValue<long>());
        Assert.Equal("""{"OperatingSystem":null,"Architecture":null,"Hostname":{"Value":"node-1","Operator":"=="},"MatchLabels":null}""", web["deploy"]!["placement"]!["constraints"]!.ToJsonString());
        Assert.Equal(90_000_000_000, web["health_check"]!["interval"]!.GetValue<long>());
        Assert.Equal("""["CMD-SHELL","curl -f http://localhost"]""", web["health_check"]!["test"]!.ToJsonString());
        Assert.Equal("regcred", web["pull_secret"]!.GetValue<string>());
        Assert.Equal("""[{"type":"volume","source":"data","target":"/var/lib/postgresql/data"}]""", services[0]!["volumes"]!.ToJsonString());

        Assert.Null(v1beta2["spec"]!["services"]![1]!["pull_secret"]);
        Assert.Equal("nginx:1.27", v1beta2["spec"]!["services"]![1]!["image"]!.GetValue<string>());

        // And v1beta1 gives the text back as written.
        Assert.Equal(ComposeFile, StackCodec.Encode(stored, "v1beta1")["spec"]!["composeFile"]!.GetValue<string>());
    }

    [Fact]
    public void V1alpha3_write_reads_back_in_v1beta1_as_compose_text_that_loads_to_the_same_structure()
    {
        var golden = StackTestData.Load("v1alpha3");
        var stored = StackTestData.Store(golden, "v1alpha3");

        var text = StackCodec.Encode(stored, "v1beta1")["spec"]!["composeFile"]!.GetValue<string>();
        var reloaded = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = text }), "v1beta1");

        var expected = (JsonObject)golden["spec"]!.DeepClone();
        var actual = StackCodec.Encode(reloaded, "v1alpha3")["spec"]!.AsObject();

        // The loader's default is the only difference: a port without mode is ingress.
        expected["services"]![0]!["ports"]![1]!.AsObject().Insert(0, "mode", "ingress");
        Assert.Equal(StackTestData.Canonical(expected), StackTestData.Canonical(actual));
    }

    [Fact]
    public void V1beta1_write_of_the_text_read_back_keeps_the_stored_structure()
    {
        var stored = StackTestData.Store(StackTestData.Load("v1alpha3"), "v1alpha3");
        var read = StackCodec.Encode(stored, "v1beta1");

        var updated = StackTestData.Store(read, "v1beta1", stored);

        Assert.Equal(StackTestData.Canonical(StackCodec.Encode(stored, "v1alpha3")["spec"]), StackTestData.Canonical(StackCodec.Encode(updated, "v1alpha3")["spec"]));
    }

    [Fact]
    public void Structured_write_keeps_the_compose_text_only_while_the_structure_is_unchanged()
    {
        var stored = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = ComposeFile }), "v1beta1");

        var same = StackTestData.Store(StackCodec.Encode(stored, "v1alpha3"), "v1alpha3", stored);
        Assert.Equal(ComposeFile, StackComposeFile.GetText(same));

        var changed = StackCodec.Encode(stored, "v1beta2");
        changed["spec"]!["services"]![1]!["image"] = "nginx:1.28";
        var updated = StackTestData.Store(changed, "v1beta2", stored);
        var text = StackComposeFile.GetText(updated)!;
        Assert.NotEqual(ComposeFile, text);
        Assert.Contains("nginx:1.28", text, StringComparison.Ordinal);

        // The generated text still carries the v1alpha3-only field (kept from the stored stack) as x-kubernetes.
        Assert.Contains("\"pull_secret\": \"regcred\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void V1beta1_with_invalid_compose_text_reports_the_line_and_keeps_the_text()
    {
        const string text = "services:\n  web:\n    image: nginx\n    ports: 80\n";

        var result = StackCodec.Decode(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = text }), "v1beta1", null);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.composeFile", error.Field);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, StackComposeFile.GetText(result.Stored!));
        Assert.False(StackCodec.Encode(result.Stored!, "v1alpha3").ContainsKey("spec"));
    }

    [Fact]
    public void Dollar_signs_survive_the_generated_text()
    {
        var body = StackTestData.Body("v1alpha3", new JsonObject
        {
            ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx", ["command"] = new JsonArray("echo", "$HOME ${X:-y} \"q\"\n") }),
        });
        var stored = StackTestData.Store(body, "v1alpha3");

        var text = StackComposeFile.GetText(stored)!;
        var reloaded = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = text }), "v1beta1");

        Assert.Equal("""["echo","$HOME ${X:-y} \u0022q\u0022\n"]""", StackCodec.Encode(reloaded, "v1alpha3")["spec"]!["services"]![0]!["command"]!.ToJsonString());
    }
}
