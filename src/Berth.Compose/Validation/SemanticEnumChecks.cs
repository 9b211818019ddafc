using System.Text.RegularExpressions;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Values the schema leaves as free strings but engines accept only from a fixed set. Checking them here
/// turns a deploy-time failure ("invalid restart policy") into a load-time error with file:line.
/// </summary>
internal static partial class SemanticEnumChecks
{
    private static readonly (string[] Path, string[] Allowed)[] Rules =
    [
        (["deploy", "mode"], ["replicated", "global", "replicated-job", "global-job"]),
        (["deploy", "endpoint_mode"], ["vip", "dnsrr"]),
        (["deploy", "restart_policy", "condition"], ["none", "on-failure", "any"]),
        (["deploy", "update_config", "failure_action"], ["continue", "rollback", "pause"]),
        (["deploy", "rollback_config", "failure_action"], ["continue", "pause"]),
    ];

    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        foreach (var service in project.Services)
        {
            foreach (var (path, allowed) in Rules)
            {
                if (Find(service.Definition, path) is ScalarNode { IsNull: false } value && !allowed.Contains(value.AsString(), StringComparer.Ordinal) && !value.AsString().Contains('$', StringComparison.Ordinal))
                {
                    diagnostics.Error(
                        DiagnosticCodes.InvalidValue,
                        $"invalid {path[^1]} '{value.AsString()}'",
                        value.Location,
                        $"{service.Path}.{string.Join('.', path)}",
                        $"use one of: {string.Join(", ", allowed)}");
                }
            }

            if (service.Definition["restart"] is ScalarNode { IsNull: false } restart && !RestartPolicy().IsMatch(restart.AsString()) && !restart.AsString().Contains('$', StringComparison.Ordinal))
            {
                diagnostics.Error(
                    DiagnosticCodes.InvalidValue,
                    $"invalid restart policy '{restart.AsString()}'",
                    restart.Location,
                    $"{service.Path}.restart",
                    "use one of: no, always, on-failure, on-failure:N, unless-stopped");
            }
        }
    }

    private static ComposeNode? Find(MappingNode node, string[] path)
    {
        ComposeNode? current = node;
        foreach (var key in path)
        {
            current = (current as MappingNode)?[key];
        }

        return current;
    }

    [GeneratedRegex("^(no|always|unless-stopped|on-failure(:[0-9]+)?)$")]
    private static partial Regex RestartPolicy();
}
