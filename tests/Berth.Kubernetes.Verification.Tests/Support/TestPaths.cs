namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>Locations of the repository and of the reference data inside it (testdata/).</summary>
internal static class TestPaths
{
    /// <summary>The folder holding Berth.slnx.</summary>
    public static string RepositoryRoot => Berth.Testing.RepositoryRoot.Path;

    /// <summary>The third-party data the tests read (testdata/ at the repository root; see its README.md).</summary>
    public static string Testdata => Path.Combine(RepositoryRoot, "testdata");

    public static string Corpus => Path.Combine(Testdata, "corpus");

    /// <summary>The Kubernetes 1.36 OpenAPI v2 document (gzip) the per-kind schemas are derived from.</summary>
    public static string KubernetesOpenApi => Path.Combine(Testdata, "schemas", "kubernetes", "swagger.json.gz");

    /// <summary>The kinds to derive schemas for (index.json: apiVersion, kind, OpenAPI definition).</summary>
    public static string KubernetesSchemaIndex => Path.Combine(Testdata, "schemas", "kubernetes", "v1.36-standalone-strict-derived", "index.json");
}
