using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>user, privileged, read_only, cap_add/cap_drop → the container's securityContext.</summary>
internal static class SecurityBuilder
{
    public static V1SecurityContext? Build(ConversionContext context, ServiceUnit unit)
    {
        var node = unit.Node;
        var security = new V1SecurityContext();
        var any = false;
        if (node.Str("user") is { Length: > 0 } user)
        {
            var parts = user.Split(':', 2);
            if (long.TryParse(parts[0], out var uid) && (parts.Length == 1 || long.TryParse(parts[1], out _)))
            {
                security.RunAsUser = uid;
                security.RunAsGroup = parts.Length == 2 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : null;
                any = true;
            }
            else
            {
                context.Fidelity.Unsupported(unit.ComposeName, "user", $"'{user}' is not numeric; Kubernetes needs a numeric uid[:gid] (the image's user applies)", node.LocationOf("user"));
            }
        }

        if (node.Bool("privileged"))
        {
            security.Privileged = true;
            any = true;
        }

        if (node.Bool("read_only"))
        {
            security.ReadOnlyRootFilesystem = true;
            any = true;
        }

        var add = Capabilities(node.Strings("cap_add"));
        var drop = Capabilities(node.Strings("cap_drop"));
        if (add.Count > 0 || drop.Count > 0)
        {
            security.Capabilities = new V1Capabilities { Add = add.Count > 0 ? add : null, Drop = drop.Count > 0 ? drop : null };
            any = true;
        }

        return any ? security : null;
    }

    // Docker accepts CAP_NET_ADMIN and NET_ADMIN; Kubernetes wants the name without the prefix.
    private static List<string> Capabilities(IEnumerable<string> names)
    {
        var capabilities = new List<string>();
        foreach (var name in names)
        {
            var capability = (name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name).ToUpperInvariant();
            if (!capabilities.Contains(capability))
            {
                capabilities.Add(capability);
            }
        }

        return capabilities;
    }
}
