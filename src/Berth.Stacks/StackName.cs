namespace Berth.Stacks;

/// <summary>Stack identity: the name that goes into the ownership label and into <c>com.docker.service.id</c>.</summary>
public static class StackName
{
    /// <summary>
    /// The one rule for a stack name, as users read it in errors. A stack name is also the Compose project name
    /// (docker requires <c>^[a-z0-9][a-z0-9_-]*$</c>) and a Kubernetes label value (at most 63, alphanumeric ends).
    /// </summary>
    public const string Rule = "1 to 63 lower-case letters, digits, '-' and '_', starting and ending with a letter or digit";

    /// <summary>True when <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string name)
        => name.Length is > 0 and <= DnsNames.MaxLabelLength
           && IsLowerAlnum(name[0]) && IsLowerAlnum(name[^1])
           && name.All(c => IsLowerAlnum(c) || c is '-' or '_');

    /// <summary>
    /// What a verb that only reads or removes an existing stack (ps, services, rm) accepts: <see cref="Rule"/> with
    /// upper-case letters too, because <c>docker stack deploy</c> creates stacks such as <c>MyApp</c> and Berth must
    /// still list and remove them. New stacks (deploy, diff, convert --stack) follow <see cref="Rule"/>.
    /// </summary>
    public const string ExistingRule = "1 to 63 letters, digits, '-' and '_', starting and ending with a letter or digit";

    /// <summary>True when <paramref name="name"/> follows <see cref="ExistingRule"/>.</summary>
    public static bool IsValidExisting(string name) => IsValid(name.ToLowerInvariant());

    /// <summary>The one-line error for an invalid name (quoted, so spaces are visible), or null when it is valid.</summary>
    public static string? Check(string name)
        => IsValid(name) ? null : $"invalid stack name '{name}': a stack name is {Rule}";

    /// <summary>As <see cref="Check"/> for a name that refers to an existing stack (<see cref="ExistingRule"/>).</summary>
    public static string? CheckExisting(string name)
        => IsValidExisting(name) ? null : $"invalid stack name '{name}': an existing stack's name is {ExistingRule}";

    /// <summary>The stack name for a project: the explicit name when given, else the project name, as a valid label value.</summary>
    public static string For(string projectName, string? explicitName)
        => DnsNames.ToLabelValue(string.IsNullOrWhiteSpace(explicitName) ? projectName : explicitName);

    /// <summary><c>&lt;stack&gt;-&lt;service&gt;</c>, the value of <see cref="StackLabels.ServiceId"/>.</summary>
    public static string ServiceId(string stack, string service) => DnsNames.ToLabelValue(stack + "-" + service);

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
