using System.Text.Json.Nodes;
using Berth.StackApi.Tests.Types;

namespace Berth.StackApi.Tests.Validation;

public sealed class StackValidatorTests
{
    private static JsonObject Service(string name, string image = "nginx") => new() { ["name"] = name, ["image"] = image };

    private static JsonObject Structured(params JsonObject[] services)
        => StackTestData.Store(StackTestData.Body("v1alpha3", new JsonObject { ["services"] = new JsonArray([.. services]) }), "v1alpha3");

    [Fact]
    public void Golden_stacks_are_valid()
    {
        foreach (var version in StackApiGroup.Versions)
        {
            var stored = StackTestData.Store(StackTestData.Load(version), version);
            Assert.Empty(StackValidator.Validate(stored));
        }
    }

    [Fact]
    public void Service_names_must_be_dns_1035_labels_which_compose_on_kubernetes_did_not_check()
    {
        var errors = StackValidator.Validate(Structured(Service("1web"), Service("a.b"), Service("Web"), Service(new string('a', 64)), Service("ok")));

        Assert.Equal(["spec.services[0].name", "spec.services[1].name", "spec.services[2].name", "spec.services[3].name"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("FieldValueInvalid", e.Type));
        Assert.Equal(
            "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            errors[0].Message);
        Assert.EndsWith("must be no more than 63 characters", errors[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Planned_objects_after_validation_are_the_dry_runs_and_follow_a_later_spec_change()
    {
        var stored = Structured(Service("web"), Service("db"));
        Assert.Empty(StackValidator.Validate(stored));
        var afterValidation = StackValidator.PlannedObjects(stored);
        Assert.Equal(StackValidator.PlannedObjects((JsonObject)stored.DeepClone()), afterValidation);
        Assert.Contains(new PlannedObject("apps/v1", "Deployment", "web"), afterValidation);

        // The spec changed after validation: the objects are those of the new spec, not the remembered ones.
        stored["spec"]!["stack"]!["services"]!.AsArray().Add(Service("cache"));
        Assert.Contains(new PlannedObject("apps/v1", "Deployment", "cache"), StackValidator.PlannedObjects(stored));
    }

    [Fact]
    public void All_errors_are_reported_at_once()
    {
        var bad = Service("web", image: "");
        bad["deploy"] = new JsonObject { ["mode"] = "sometimes", ["restart_policy"] = new JsonObject { ["condition"] = "always" } };
        bad["ports"] = new JsonArray(new JsonObject { ["target"] = 0, ["protocol"] = "sctp" });
        bad["pull_policy"] = "Sometimes";
        var stored = Structured(bad, Service("web"), Service(""));
        stored["metadata"]!["name"] = "Bad_Name";

        var errors = StackValidator.Validate(stored);

        Assert.Equal(
            [
                ("FieldValueInvalid", "metadata.name"),
                ("FieldValueRequired", "spec.services[0].image"),
                ("FieldValueNotSupported", "spec.services[0].deploy.mode"),
                ("FieldValueNotSupported", "spec.services[0].deploy.restart_policy.condition"),
                ("FieldValueNotSupported", "spec.services[0].pull_policy"),
                ("FieldValueInvalid", "spec.services[0].ports[0].target"),
                ("FieldValueNotSupported", "spec.services[0].ports[0].protocol"),
                ("FieldValueDuplicate", "spec.services[1].name"),
                ("FieldValueRequired", "spec.services[2].name"),
            ],
            errors.Select(e => (e.Type, e.Field)));
        Assert.Equal("Unsupported value: \"sometimes\": supported values: \"replicated\", \"global\"", errors[2].Message);
    }

    [Fact]
    public void A_stack_needs_services()
    {
        var error = Assert.Single(StackValidator.Validate(Structured()));
        Assert.Equal(("FieldValueRequired", "spec.services"), (error.Type, error.Field));

        var none = StackTestData.Store(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } }, "v1alpha3");
        Assert.Equal("spec", Assert.Single(StackValidator.Validate(none)).Field);
    }

    [Fact]
    public void Compose_text_errors_name_the_line()
    {
        var result = StackCodec.Decode(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n" }), "v1beta1", null);

        var error = Assert.Single(StackValidator.Validate(result.Stored!));

        Assert.Equal("spec.composeFile", error.Field);
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_text_service_names_are_checked_too()
    {
        var stored = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject { ["composeFile"] = "services:\n  Web_1:\n    image: nginx\n" }), "v1beta1");

        var error = Assert.Single(StackValidator.Validate(stored));

        Assert.Equal("spec.composeFile", error.Field);
        Assert.EndsWith("(services.Web_1, line 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dry_run_conversion_errors_become_field_errors()
    {
        // Only Berth's Kubernetes converter knows these: a PVC name and a namespace Kubernetes refuses.
        var text = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject
        {
            ["composeFile"] = "services:\n  db:\n    image: pg\n    volumes: [\"data:/data\"]\nvolumes:\n  data:\n    external: true\n    name: Bad_Claim\n",
        }), "v1beta1");
        var error = Assert.Single(StackValidator.Validate(text));
        Assert.Equal("spec.composeFile", error.Field);
        Assert.Contains("BK102", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 7", error.Message, StringComparison.Ordinal);

        var structured = Structured(Service("web"));
        structured["metadata"]!["namespace"] = "Bad_NS";
        var nsError = Assert.Single(StackValidator.Validate(structured));
        Assert.Equal("spec", nsError.Field);
        Assert.Contains("'Bad_NS' is not a valid namespace name", nsError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_update_that_keeps_the_spec_does_not_load_and_convert_it_again_but_a_changed_spec_is_validated()
    {
        // Only the converter's dry run refuses this spec (BK102): it shows whether the spec was converted again.
        var current = StackTestData.Store(StackTestData.Body("v1beta1", new JsonObject
        {
            ["composeFile"] = "services:\n  db:\n    image: pg\n    volumes: [\"data:/data\"]\nvolumes:\n  data:\n    external: true\n    name: Bad_Claim\n",
        }), "v1beta1");
        Assert.Contains("BK102", Assert.Single(StackValidator.Validate(current)).Message, StringComparison.Ordinal);

        var relabelled = current.DeepClone().AsObject();
        relabelled["metadata"]!["labels"] = new JsonObject { ["team"] = "a" };
        Assert.Empty(StackValidator.ValidateUpdate(relabelled, current));

        var changed = relabelled.DeepClone().AsObject();
        changed["spec"]!["composeFile"] = changed["spec"]!["composeFile"]!.GetValue<string>().Replace("image: pg", "image: pg:16", StringComparison.Ordinal);
        Assert.Contains("BK102", Assert.Single(StackValidator.ValidateUpdate(changed, current)).Message, StringComparison.Ordinal);

        var renamed = relabelled.DeepClone().AsObject();
        renamed["metadata"]!["name"] = "Bad_Name";
        Assert.Equal("metadata.name", Assert.Single(StackValidator.ValidateUpdate(renamed, current)).Field);
    }
}
