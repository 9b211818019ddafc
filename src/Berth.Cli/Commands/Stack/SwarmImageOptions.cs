using System.CommandLine;
using Berth.Swarm.Apply;

namespace Berth.Cli.Commands.Stack;

/// <summary>docker stack deploy's image flags: <c>--resolve-image</c> (both orchestrators) and <c>--with-registry-auth</c> (Swarm only).</summary>
internal static class SwarmImageOptions
{
    /// <summary>No default value: unset, the orchestrator's default applies (Swarm always; Kubernetes the config file's <c>kubernetes.resolveImage</c>, else never).</summary>
    public static Option<string?> ResolveImage()
    {
        var option = new Option<string?>("--resolve-image")
        {
            Description = "Pin image tags to registry digests before writing: always, changed (only images whose reference changed) or never (default: always on Swarm, as docker; on Kubernetes the Berth config file's kubernetes.resolveImage, else never)",
            HelpName = "always|changed|never",
        };
        option.AcceptOnlyFromAmong("always", "changed", "never");
        return option;
    }

    public static Option<bool> WithRegistryAuth() => new("--with-registry-auth")
    {
        Description = "Swarm: send the docker CLI's registry credentials (config.json auths) to the nodes with the services",
    };

    public static ImageResolution? ResolveModeOf(string? value) => value switch
    {
        "never" => ImageResolution.Never,
        "changed" => ImageResolution.Changed,
        "always" => ImageResolution.Always,
        _ => null,
    };

    /// <summary>The flag's mode, else under Kubernetes the config file's <c>kubernetes.resolveImage</c>; null: the orchestrator's default.</summary>
    public static ImageResolution? ResolveModeOf(string? flag, StackTarget target)
        => ResolveModeOf(flag) ?? (target.Orchestrator == Orchestration.Orchestrator.Kubernetes ? ResolveModeOf(target.Config.ResolveImage) : null);
}
