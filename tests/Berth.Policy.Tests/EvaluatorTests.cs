using System.Collections.Immutable;
using Berth.Compose.Loading;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Policy.Profiles;

namespace Berth.Policy.Tests;

/// <summary>Where violations point when a project has several files, their order, and image reference reading.</summary>
public sealed class EvaluatorTests
{
    [Fact]
    public void A_violation_points_at_the_file_and_line_that_set_the_key()
    {
        var folder = Path.Combine(Path.GetTempPath(), "berth-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "compose.yaml"), "services:\n  web:\n    image: nginx:1.27\n    pid: host\n");
            File.WriteAllText(Path.Combine(folder, "compose.prod.yaml"), "services:\n  web:\n    privileged: true\n");
            var load = ProjectLoader.Load(new LoadOptions
            {
                Files = [Path.Combine(folder, "compose.yaml"), Path.Combine(folder, "compose.prod.yaml")],
                WorkingDirectory = folder,
                Environment = ImmutableDictionary<string, string>.Empty,
            }, TestContext.Current.CancellationToken);
            Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));

            var violations = PolicyEvaluator.Evaluate(BuiltInProfiles.TryGet("baseline")!, new PolicyScope(null, "app"), load.Project!, TestContext.Current.CancellationToken);

            Assert.Equal(
                ["compose.prod.yaml:3:5 BP201", "compose.yaml:4:5 BP202"],
                violations.Select(v => $"{Path.GetFileName(v.Location.File)}:{v.Location.Line}:{v.Location.Column} {v.Code}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Service order and file order differ here, so the evaluator's whole-list sort (not only its per-service one) runs.</summary>
    [Fact]
    public void Violations_from_several_files_are_ordered_by_file_even_against_service_order()
    {
        var folder = Path.Combine(Path.GetTempPath(), "berth-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "compose.yaml"), "services:\n  a:\n    image: nginx:1.27\n    pid: host\n  b:\n    image: nginx:1.27\n");
            File.WriteAllText(Path.Combine(folder, "compose.prod.yaml"), "services:\n  b:\n    ipc: host\n    privileged: true\n");
            var load = ProjectLoader.Load(new LoadOptions
            {
                Files = [Path.Combine(folder, "compose.yaml"), Path.Combine(folder, "compose.prod.yaml")],
                WorkingDirectory = folder,
                Environment = ImmutableDictionary<string, string>.Empty,
            }, TestContext.Current.CancellationToken);
            Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));

            var violations = PolicyEvaluator.Evaluate(BuiltInProfiles.TryGet("baseline")!, new PolicyScope(null, "app"), load.Project!, TestContext.Current.CancellationToken);

            Assert.Equal(
                ["compose.prod.yaml:3:5 BP203", "compose.prod.yaml:4:5 BP201", "compose.yaml:4:5 BP202"],
                violations.Select(v => $"{Path.GetFileName(v.Location.File)}:{v.Location.Line}:{v.Location.Column} {v.Code}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Violations_come_in_source_order_then_rule_order_every_time()
    {
        var project = PolicyTestSupport.LoadText("""
            services:
              b:
                image: nginx
                network_mode: host
                privileged: true
              a:
                image: nginx:latest
                ipc: host
            """);
        var policy = PolicyTestSupport.ParsePolicy("version: 1\nprofile: restricted\nrules:\n  images: {denyLatest: true, requireDigest: true}\n");
        var scope = new PolicyScope(null, "app");

        var first = PolicyEvaluator.Evaluate(policy, scope, project, TestContext.Current.CancellationToken);
        var second = PolicyEvaluator.Evaluate(policy, scope, project, TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
        Assert.Equal(
            [
                "2 BP209", "2 BP212", "2 BP213", // b: no cap_drop ALL, no user, no no-new-privileges (at the service key)
                "3 BP220", "3 BP221", "4 BP204", "5 BP201",
                "6 BP209", "6 BP212", "6 BP213",
                "7 BP220", "7 BP221", "8 BP203",
            ],
            first.Select(v => $"{v.Location.Line} {v.Code}"));
    }

    [Theory]
    [InlineData("nginx", "docker.io", "library/nginx", null, null)]
    [InlineData("nginx:1.27", "docker.io", "library/nginx", "1.27", null)]
    [InlineData("acme/api:2", "docker.io", "acme/api", "2", null)]
    [InlineData("localhost:5000/api", "localhost:5000", "api", null, null)]
    [InlineData("localhost/api:1", "localhost", "api", "1", null)]
    [InlineData("ghcr.io/acme/api:1@sha256:abc", "ghcr.io", "acme/api", "1", "sha256:abc")]
    [InlineData("127.0.0.1:5000/a/b@sha256:abc", "127.0.0.1:5000", "a/b", null, "sha256:abc")]
    public void Image_references_are_split_as_the_docker_cli_does(string reference, string registry, string repository, string? tag, string? digest)
        => Assert.Equal(new ImageReference(registry, repository, tag, digest), ImageReference.Parse(reference));

    [Theory]
    [InlineData("ghcr.io/acme/api:1", "ghcr.io", true)]
    [InlineData("ghcr.io/acme/api:1", "ghcr.io/acme", true)]
    [InlineData("ghcr.io/acmecorp/api:1", "ghcr.io/acme", false)]
    [InlineData("nginx", "docker.io/library", true)]
    [InlineData("nginx", "ghcr.io", false)]
    public void Allowed_registries_match_a_registry_or_a_path_prefix(string reference, string allowed, bool expected)
        => Assert.Equal(expected, ImageReference.Parse(reference).IsFrom(allowed));
}
