namespace Berth.ApiServer.Tests;

/// <summary>The v1alpha3 Stack manifest the kubectl tests write: one service "front", with extra YAML where a test needs it.</summary>
internal static class StackManifests
{
    /// <summary>A service environment secret and a published port (what the table and redaction tests look at).</summary>
    public const string SecretAndPort = """
        environment:
          PASSWORD: s3cret-value
        ports:
        - target: 80
          published: 8080
          protocol: tcp
        """;

    /// <summary>
    /// The manifest of stack <paramref name="name"/>; <paramref name="metadata"/> lines go under metadata and
    /// <paramref name="service"/> lines under the service, both written without indentation.
    /// </summary>
    public static string Yaml(string name, string image = "nginx:1.27", string metadata = "", string service = "") => $"""
        apiVersion: compose.docker.com/v1alpha3
        kind: Stack
        metadata:
          name: {name}
        {Indent(metadata, 2)}spec:
          services:
          - name: front
            image: {image}
        {Indent(service, 4)}
        """;

    private static string Indent(string lines, int spaces) => lines.Length == 0
        ? string.Empty
        : string.Concat(lines.Split('\n').Select(l => new string(' ', spaces) + l + "\n"));
}
