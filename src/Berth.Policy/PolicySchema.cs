namespace Berth.Policy;

/// <summary>The JSON schema of policy files, for editors (<c>policy.schema.json</c>, embedded).</summary>
public static class PolicySchema
{
    public const string ResourceName = "Berth.Policy.policy.schema.json";

    public static string ReadText()
    {
        using var stream = typeof(PolicySchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
