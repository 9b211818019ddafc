namespace Berth.Stacks;

/// <summary>Stack identity: the name that goes into the ownership label and into <c>com.docker.service.id</c>.</summary>
public static class StackName
{
    /// <summary>The stack name for a project: the explicit name when given, else the project name, as a valid label value.</summary>
    public static string For(string projectName, string? explicitName)
        => DnsNames.ToLabelValue(string.IsNullOrWhiteSpace(explicitName) ? projectName : explicitName);

    /// <summary><c>&lt;stack&gt;-&lt;service&gt;</c>, the value of <see cref="StackLabels.ServiceId"/>.</summary>
    public static string ServiceId(string stack, string service) => DnsNames.ToLabelValue(stack + "-" + service);
}
