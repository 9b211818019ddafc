using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary>Options and arguments several stack verbs share.</summary>
internal static class StackOptions
{
    public static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "Output format: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    /// <summary><c>--service-type</c>: the Kubernetes Service type that carries published ports (the converter's option).</summary>
    public static Option<string> ServiceType()
    {
        var serviceType = new Option<string>("--service-type") { Description = "Kubernetes: Service type for published ports (LoadBalancer or NodePort)", DefaultValueFactory = _ => "LoadBalancer" };
        serviceType.AcceptOnlyFromAmong("LoadBalancer", "NodePort");
        return serviceType;
    }

    /// <summary><c>--network-policies</c>: the converter's option to mirror Compose networks with NetworkPolicies.</summary>
    public static Option<bool> NetworkPolicies()
        => new("--network-policies") { Description = "Kubernetes: one NetworkPolicy per Compose network, so only services sharing a network can talk" };

    public static Kubernetes.Convert.PublishedServiceType ServiceTypeOf(string? value)
        => value == "NodePort" ? Kubernetes.Convert.PublishedServiceType.NodePort : Kubernetes.Convert.PublishedServiceType.LoadBalancer;

    public static Argument<string> StackName() => new("STACK") { Description = "Stack name" };

    public static Option<string[]> Filter(string description) => new("--filter", "-f") { Description = description };

    /// <summary>
    /// Checks stack names against the one rule (<see cref="Stacks.StackName.Rule"/>), or, for verbs that only read or
    /// remove an existing stack, against <see cref="Stacks.StackName.ExistingRule"/> (docker-made stacks may have
    /// upper-case letters); prints the first bad one and returns false.
    /// </summary>
    public static bool CheckStackNames(TextWriter stderr, string verb, IEnumerable<string> names, bool existing = false)
    {
        foreach (var name in names)
        {
            if ((existing ? Stacks.StackName.CheckExisting(name) : Stacks.StackName.Check(name)) is { } error)
            {
                stderr.WriteLine($"berth stack {verb}: {error}");
                return false;
            }
        }

        return true;
    }
}
