using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.ApiServer.Http;
using Berth.ApiServer.Security;
using Berth.Compose.Diagnostics;
using Berth.Policy.Cluster;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.StackApi;

namespace Berth.ApiServer.Policy;

/// <summary>
/// The cluster deploy policy at stack admission (a create, or an update that changes the spec), for the aggregated
/// Stack API and the CRD mode's validating webhook alike. The stack is loaded as validation loads it (its Compose
/// text, or the text written from its structure) and evaluated for its namespace and name. Enforce: an error
/// violation refuses the write, 422 Invalid with one cause per violation; warn: the violations are warnings
/// (kube-apiserver's <c>Warning: 299 - "..."</c>). The ConfigMap is read by <see cref="ClusterPolicySource"/>
/// (the server's own credentials, a short TTL).
/// </summary>
internal sealed class StackPolicyAdmission(ClusterPolicySource source)
{
    /// <summary>What a violation's file is called: the stack's Compose text (for a structured stack, the text written from it).</summary>
    public const string ComposeFileName = "spec.composeFile";

    /// <summary>The policy with the server's credentials, when there is a cluster (standalone: none, nothing checked).</summary>
    public static StackPolicyAdmission? Open(ClusterClient? cluster, ServerOptions options, TimeProvider time, ILogger logger)
    {
        if (cluster is null)
        {
            logger.LogWarning("standalone: no cluster deploy policy (the {ConfigMap} is read from a cluster)", ClusterPolicyConfigMap.Origin(options.PolicyNamespace));
            return null;
        }

        var path = $"api/v1/namespaces/{Uri.EscapeDataString(options.PolicyNamespace)}/configmaps/{ClusterPolicyConfigMap.Name}";
        var source = new ClusterPolicySource(options.PolicyNamespace, ct => FetchAsync(cluster, path, ct), options.PolicyCacheTimeToLive, time);
        logger.LogInformation("stack admission applies the deploy policy of {ConfigMap} when it exists (read with the server's credentials, kept {Seconds} s)", ClusterPolicyConfigMap.Origin(options.PolicyNamespace), options.PolicyCacheTimeToLive.TotalSeconds);
        return new StackPolicyAdmission(source);
    }

    private static async Task<IReadOnlyDictionary<string, string>?> FetchAsync(ClusterClient cluster, string path, CancellationToken ct)
    {
        var configMap = await cluster.GetAsync(path, ct).ConfigureAwait(false);
        if (configMap is null)
        {
            return null;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap["data"] as JsonObject ?? [])
        {
            data[key] = value?.ToString() ?? string.Empty;
        }

        return data;
    }

    public Task<ClusterPolicy> CurrentAsync(CancellationToken cancellationToken) => source.GetAsync(cancellationToken);

    /// <summary>
    /// Checks <paramref name="stored"/> (storage form, validated) against <paramref name="policy"/>: throws the refusal,
    /// or answers the warnings to send (none when nothing applies).
    /// </summary>
    public static ImmutableArray<string> Check(ClusterPolicy policy, JsonObject stored, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(stored);
        switch (policy.State)
        {
            case ClusterPolicyState.None:
                return [];
            case ClusterPolicyState.Invalid when policy.FailsOpen:
                return [policy.InvalidMessage];
            case ClusterPolicyState.Invalid:
                throw Forbidden(name, policy.InvalidMessage);
        }

        var text = StackComposeFile.GetText(stored);
        if (text is null || StackComposeFile.Load(text, name).Project is not { } project)
        {
            // Validation reports what cannot be loaded; a stack that was not loaded has nothing to evaluate.
            return [];
        }

        var ns = stored["metadata"]?["namespace"]?.ToString();
        var rules = policy.Policy!.Resolve(new PolicyScope(ns, name));
        var violations = PolicyEvaluator.Evaluate(rules, project, cancellationToken);
        var errors = violations.Where(v => v.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            var causes = errors.Select(v => new StatusCause("FieldValueForbidden", Describe(v), v.YamlPath ?? ComposeFileName)).ToList();
            throw ApiStatus.Invalid(StackApiGroup.Kind, name, causes);
        }

        return [.. violations.Select(v => $"stack {name}, policy {rules.Name}: {(v.YamlPath is { } at ? at + ": " : string.Empty)}{Describe(v)}")];
    }

    /// <summary><c>spec.composeFile:LINE:COLUMN: CODE: message (hint: ...)</c>.</summary>
    public static string Describe(Diagnostic violation)
    {
        var at = violation.Location.Line > 0 ? $"{ComposeFileName}:{violation.Location.Line}:{violation.Location.Column}: " : string.Empty;
        var hint = violation.Hint is { Length: > 0 } h ? $" (hint: {h})" : string.Empty;
        return $"{at}{violation.Code}: {violation.Message}{hint}";
    }

    /// <summary>
    /// A warning as kube-apiserver writes it (AS/pkg/endpoints/handlers/responsewriters/warning.go): code 299, agent
    /// "-", the text quoted with \ and " escaped. Header values are ASCII here (Kestrel's default); anything else,
    /// and control characters, become '?'.
    /// </summary>
    public static string WarningHeader(string text)
    {
        var value = new StringBuilder("299 - \"", text.Length + 10);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                value.Append('\\');
            }

            value.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return value.Append('"').ToString();
    }

    private static ApiException Forbidden(string name, string message)
        => new(403, "Forbidden", $"stacks.{StackApiGroup.Group} \"{name}\" is forbidden: {message}", new JsonObject { ["name"] = name, ["group"] = StackApiGroup.Group, ["kind"] = "stacks" });
}
