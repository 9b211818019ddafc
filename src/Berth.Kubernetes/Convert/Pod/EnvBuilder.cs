using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>
/// <c>environment</c> (with <c>env_file</c> already merged by the loader) → container env, sorted by name.
/// Kubernetes expands <c>$(VAR)</c> in env values, command and args, Compose does not: every <c>$</c> is
/// doubled so values reach the process exactly as written.
/// </summary>
internal static class EnvBuilder
{
    public static List<V1EnvVar>? Build(ServiceUnit unit)
    {
        if (unit.Node.Map("environment") is not { } env)
        {
            return null;
        }

        var result = new List<V1EnvVar>();
        foreach (var entry in Ordering.Stable(env.Entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name)))
        {
            // A key-only variable unset in the environment is not set in the container either (Compose does the same).
            if (entry.Value is not ScalarNode { IsNull: false } value)
            {
                continue;
            }

            result.Add(new V1EnvVar { Name = entry.Name, Value = Escape(value.AsString()) });
        }

        return result.Count == 0 ? null : result;
    }

    public static string Escape(string value) => value.Replace("$", "$$", StringComparison.Ordinal);
}
