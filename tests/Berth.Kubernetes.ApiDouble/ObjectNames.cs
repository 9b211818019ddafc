using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>The cheap validation the real server does on names and labels, so Berth bugs show up in tests.</summary>
internal static partial class ObjectNames
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    public static void Validate(ResourceType type, JsonObject obj, string name)
    {
        // RBAC objects only need a valid path segment (pkg/apis/rbac/validation/validation.go ValidateRBACName =
        // path.IsValidPathSegmentName, apimachinery/pkg/api/validation/path/name.go): "system:auth-delegator" is valid.
        if (type.Group == "rbac.authorization.k8s.io")
        {
            var problem = name switch
            {
                "." => "may not be '.'",
                ".." => "may not be '..'",
                _ when name.Contains('/', StringComparison.Ordinal) => "may not contain '/'",
                _ when name.Contains('%', StringComparison.Ordinal) => "may not contain '%'",
                _ => null,
            };
            if (problem is not null)
            {
                throw ApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": {problem}");
            }
        }

        // Namespaces and Services must be DNS labels (they become DNS names); the rest DNS subdomains.
        else if (type.Plural is "namespaces" or "services")
        {
            if (name.Length > 63 || !DnsLabel().IsMatch(name))
            {
                throw ApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": {LabelMessage}");
            }
        }
        else if (name.Length > 253 || !Subdomain().IsMatch(name))
        {
            throw ApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": {SubdomainMessage}");
        }

        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                var text = value?.ToString() ?? "";
                if (text.Length > 63)
                {
                    throw ApiException.Invalid(type, name, $"metadata.labels", $"Invalid value: \"{text}\": must be no more than 63 characters");
                }

                if (!LabelValue().IsMatch(text))
                {
                    throw ApiException.Invalid(type, name, "metadata.labels",
                        $"Invalid value: \"{text}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (label {key})");
                }
            }
        }
    }
}
