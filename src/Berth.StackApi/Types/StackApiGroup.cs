using System.Collections.Immutable;

namespace Berth.StackApi;

/// <summary>The names of the compose.docker.com Stack API, as compose-on-kubernetes registered them.</summary>
public static class StackApiGroup
{
    public const string Group = "compose.docker.com";
    public const string Kind = "Stack";
    public const string ListKind = "StackList";
    public const string Plural = "stacks";
    public const string Singular = "stack";

    public const string V1Alpha3 = "v1alpha3";
    public const string V1Beta2 = "v1beta2";
    public const string V1Beta1 = "v1beta1";

    /// <summary>
    /// Served versions, preferred first: compose-on-kubernetes gave its APIServices versionPriority 17/16/15
    /// (cmd/api-server/cli/root.go), so discovery lists v1alpha3, v1beta2, v1beta1.
    /// </summary>
    public static ImmutableArray<string> Versions { get; } = [V1Alpha3, V1Beta2, V1Beta1];

    /// <summary>
    /// The version of the stored JSON (<c>compose.docker.com/storage</c>, as compose-on-kubernetes's storage codec in
    /// internal/internalversion/storagescheme.go). Never served: it is a superset of every served version
    /// (docs/design/stack-api.md, "Versions and storage form").
    /// </summary>
    public const string StorageVersion = "storage";

    public static string ApiVersion(string version) => $"{Group}/{version}";

    public static bool IsServed(string version) => Versions.Contains(version);
}
