using System.CommandLine;
using Berth.Swarm.Apply;

namespace Berth.Cli.Commands.Stack;

/// <summary>docker stack deploy's image flags: <c>--resolve-image</c> and <c>--with-registry-auth</c> (Swarm only).</summary>
internal static class SwarmImageOptions
{
    public static Option<string> ResolveImage()
    {
        var option = new Option<string>("--resolve-image")
        {
            Description = "Swarm: pin image digests from the registry: always, changed or never (default: always, as docker)",
            DefaultValueFactory = _ => "always",
        };
        option.AcceptOnlyFromAmong("always", "changed", "never");
        return option;
    }

    public static Option<bool> WithRegistryAuth() => new("--with-registry-auth")
    {
        Description = "Swarm: send the docker CLI's registry credentials (config.json auths) to the nodes with the services",
    };

    public static ImageResolution ResolveModeOf(string? value) => value switch
    {
        "never" => ImageResolution.Never,
        "changed" => ImageResolution.Changed,
        _ => ImageResolution.Always,
    };
}
