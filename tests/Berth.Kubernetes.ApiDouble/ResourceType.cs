namespace Berth.Kubernetes.ApiDouble;

/// <summary>One kind of object the test double serves (group, version, plural, kind, scope).</summary>
internal sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>plural[.group], the name the real server uses in messages ("deployments.apps").</summary>
    public string FullName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string ListKind => Kind + "List";
}
