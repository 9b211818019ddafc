namespace Berth.Cli.Orchestration;

/// <summary>
/// The Berth config file: <c>{"orchestrator": "kubernetes", "kubernetes": {"namespace": ..., "context": ..., "kubeconfig": ...},
/// "resolveImage": "changed"}, "policy": "restricted", "policyMode": "warn"}</c>.
/// Every value is optional; flags and environment variables take precedence.
/// </summary>
internal sealed record BerthConfig
{
    public static readonly BerthConfig Empty = new();

    /// <summary>The file read, or null when there is none.</summary>
    public string? Path { get; init; }

    public string? Orchestrator { get; init; }

    public string? Namespace { get; init; }

    public string? Context { get; init; }

    /// <summary>Kubernetes: <c>--resolve-image</c> when the flag is not given (<c>always</c>, <c>changed</c> or <c>never</c>).</summary>
    public string? ResolveImage { get; init; }

    /// <summary>Absolute (resolved against the config file's folder, <c>~/</c> expanded).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The deploy policy: a built-in profile or a policy file (relative to the config file's folder, <c>~/</c> expanded).</summary>
    public string? Policy { get; init; }

    /// <summary><c>warn</c> or <c>enforce</c>: overrides the policy's own mode (<c>--policy-mode</c> overrides this).</summary>
    public string? PolicyMode { get; init; }

    /// <summary>The folder the config file is in: relative policy paths are resolved against it.</summary>
    public string? Directory => Path is null ? null : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
}

/// <summary>The config file's content, or why it could not be used (one line naming the file).</summary>
internal sealed record BerthConfigResult(BerthConfig Config, string? Error)
{
    public static BerthConfigResult Ok(BerthConfig config) => new(config, null);

    public static BerthConfigResult Failed(string error) => new(BerthConfig.Empty, error);
}
