using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// What the API server refuses in a coordination.k8s.io/v1 Lease written by a client:
/// <list type="bullet">
/// <item>kubernetes pkg/apis/coordination/validation/validation.go (ValidateLeaseSpec, for create and update):
/// <c>spec.leaseDurationSeconds</c> ≤ 0 → "must be greater than 0"; <c>spec.leaseTransitions</c> &lt; 0 → "must be
/// greater than or equal to 0"; <c>spec.preferredHolder</c> without <c>spec.strategy</c> → Forbidden; a strategy other
/// than OldestEmulationVersion → Unsupported value.</item>
/// <item>apimachinery pkg/apis/meta/v1/micro_time.go (MicroTime.UnmarshalJSON): <c>acquireTime</c> and <c>renewTime</c>
/// parse with the layout RFC3339Micro, exactly six fractional digits, before any validation; anything else is a
/// 400 decode error (<c>Lease in version "v1" cannot be handled as a Lease: parsing time ...</c>).</item>
/// </list>
/// </summary>
internal static partial class LeaseValidation
{
    private const string MicroLayout = "2006-01-02T15:04:05.000000Z07:00";

    public static void Check(JsonObject candidate, List<(string Field, string Message)> errors)
    {
        var spec = candidate["spec"] as JsonObject;
        foreach (var field in new[] { "acquireTime", "renewTime" })
        {
            if (spec?[field] is JsonValue value && value.TryGetValue<string>(out var text) && MicroTimeProblem(text) is { } problem)
            {
                throw ApiException.BadRequest($"Lease in version \"v1\" cannot be handled as a Lease: parsing time \"{text}\" as \"{MicroLayout}\": {problem}");
            }
        }

        if (spec?["leaseDurationSeconds"] is JsonValue duration && duration.TryGetValue<long>(out var seconds) && seconds <= 0)
        {
            errors.Add(("spec.leaseDurationSeconds", $"Invalid value: {seconds}: must be greater than 0"));
        }

        if (spec?["leaseTransitions"] is JsonValue transitions && transitions.TryGetValue<long>(out var count) && count < 0)
        {
            errors.Add(("spec.leaseTransitions", $"Invalid value: {count}: must be greater than or equal to 0"));
        }

        var strategy = spec?["strategy"]?.ToString();
        if (strategy is not null && strategy != "OldestEmulationVersion")
        {
            errors.Add(("spec.strategy", $"Unsupported value: \"{strategy}\": supported values: \"OldestEmulationVersion\""));
        }

        if (spec?["preferredHolder"]?.ToString() is { Length: > 0 } && string.IsNullOrEmpty(strategy))
        {
            errors.Add(("spec.preferredHolder", "Forbidden: may only be specified if `strategy` is defined"));
        }
    }

    /// <summary>Go's time.Parse complaint for a MicroTime that is not RFC 3339 with exactly six fractional digits, or null.</summary>
    private static string? MicroTimeProblem(string text)
    {
        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            return $"cannot parse \"{text}\" as \"2006\"";
        }

        var rest = text[match.Groups["seconds"].Length..];
        var digits = match.Groups["fraction"].Success ? match.Groups["fraction"].Length - 1 : 0;
        return digits switch
        {
            6 => null,
            < 6 => $"cannot parse \"{rest}\" as \".000000\"",
            _ => $"cannot parse \"{rest[7..]}\" as \"Z07:00\"",
        };
    }

    [GeneratedRegex(@"^(?<seconds>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?<fraction>\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
