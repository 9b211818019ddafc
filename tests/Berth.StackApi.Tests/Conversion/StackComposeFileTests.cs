using System.Text.Json.Nodes;
using Berth.StackApi.Tests.Types;

namespace Berth.StackApi.Tests.Conversion;

public sealed class StackComposeFileTests
{
    private static JsonObject Empty() => new() { ["metadata"] = new JsonObject { ["name"] = "demo" } };

    [Fact]
    public void SetText_fills_the_structure_from_the_whole_compose_specification()
    {
        var stored = Empty();

        var errors = StackComposeFile.SetText(stored, """
            services:
              app:
                image: app:1
                command: ["run"]
                extends:
                  service: base
              base:
                image: base:1
                environment:
                  - A=1
                  - B
                user: "1000"
                extra_hosts:
                  - "db=10.0.0.2"
                secrets:
                  - source: token
                    mode: 0440
            secrets:
              token:
                file: ./token.txt
            """);

        Assert.Empty(errors);
        var spec = StackCodec.Encode(stored, "v1alpha3")["spec"]!;
        var app = spec["services"]![0]!;
        Assert.Equal("app", app["name"]!.GetValue<string>());
        Assert.Equal("""{"A":"1","B":null}""", app["environment"]!.ToJsonString());
        Assert.Equal(1000, app["user"]!.GetValue<long>());
        Assert.Equal("""["db:10.0.0.2"]""", app["extra_hosts"]!.ToJsonString());
        Assert.Equal("""[{"source":"token","mode":288}]""", app["secrets"]!.ToJsonString());
        Assert.Equal("./token.txt", spec["secrets"]!["token"]!["file"]!.GetValue<string>());
    }

    [Fact]
    public void Interpolation_uses_an_empty_environment()
    {
        var stored = Empty();

        var errors = StackComposeFile.SetText(stored, "services:\n  web:\n    image: \"nginx:${TAG:-1.27}\"\n    command: [\"echo\", \"$$HOME\", \"${HOME}\"]\n");

        Assert.Empty(errors);
        var web = StackCodec.Encode(stored, "v1alpha3")["spec"]!["services"]![0]!;
        Assert.Equal("nginx:1.27", web["image"]!.GetValue<string>());
        Assert.Equal("""["echo","$HOME",""]""", web["command"]!.ToJsonString());
    }

    [Theory]
    [InlineData("services:\n  web:\n    image: nginx\n    env_file: /etc/passwd\n", "line 4", "services.web.env_file")]
    [InlineData("include:\n  - /etc/other.yaml\nservices:\n  web:\n    image: nginx\n", "line 1", "include")]
    [InlineData("services:\n  web:\n    image: nginx\n    extends:\n      file: /etc/base.yaml\n      service: x\n", "line 5", "services.web.extends.file")]
    public void Keys_that_read_server_files_are_refused(string text, string line, string path)
    {
        var stored = Empty();

        var error = Assert.Single(StackComposeFile.SetText(stored, text));

        Assert.Equal("FieldValueForbidden", error.Type);
        Assert.Equal("spec.composeFile", error.Field);
        Assert.Contains(line, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Null(stored["spec"]!["stack"]);
    }

    [Fact]
    public void Every_loader_error_is_reported_with_its_line()
    {
        var stored = Empty();

        var errors = StackComposeFile.SetText(stored, "services:\n  web:\n    image: nginx\n    ports: [\"x:y\"]\n  db:\n    image: pg\n    depends_on: [nope]\n");

        Assert.True(errors.Length >= 2, string.Join("\n", errors));
        Assert.All(errors, e => Assert.Equal("spec.composeFile", e.Field));
        Assert.Contains(errors, e => e.Message.Contains("line 4", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("line 7", StringComparison.Ordinal));
    }

    [Fact]
    public void GetText_is_null_for_a_stack_without_services_or_text()
    {
        Assert.Null(StackComposeFile.GetText(Empty()));
    }
}
