using Berth.Kubernetes.Access;

namespace Berth.Kubernetes.Tests.Access;

/// <summary>Kubeconfig resolution like kubectl, on temporary kubeconfig files (no request is made).</summary>
public sealed class KubeconfigResolutionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Connect_KubeconfigOption_UsesCurrentContextAndItsNamespace()
    {
        var file = Write("one.yaml", Config("alpha", ("alpha", "https://alpha.example:6443", "ns-alpha")));

        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, Env());

        Assert.Equal("https://alpha.example:6443", cluster.Server.TrimEnd('/'));
        Assert.Equal("ns-alpha", cluster.Namespace);
        Assert.Contains("context \"alpha\"", cluster.Source, StringComparison.Ordinal);
        Assert.Contains(file, cluster.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_KubeconfigOption_WinsOverKubeconfigVariable()
    {
        var option = Write("option.yaml", Config("opt", ("opt", "https://option.example", null)));
        var variable = Write("variable.yaml", Config("var", ("var", "https://variable.example", null)));

        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = option }, Env(("KUBECONFIG", variable)));

        Assert.StartsWith("https://option.example", cluster.Server, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_SeveralKubeconfigFiles_MergedFirstWins()
    {
        // first.yaml: current-context a, context a → server-a-first; second.yaml: current-context b, contexts a (ignored) and b.
        var first = Write("first.yaml", Config("a", ("a", "https://a-first.example", "ns-a")));
        var second = Write("second.yaml", Config("b", ("a", "https://a-second.example", "other"), ("b", "https://b.example", "ns-b")));
        var missing = Path.Combine(_dir, "missing.yaml");
        var env = Env(("KUBECONFIG", string.Join(Path.PathSeparator, first, missing, second)));

        using var current = KubernetesCluster.Connect(new KubernetesAccessOptions(), env);
        using var fromSecond = KubernetesCluster.Connect(new KubernetesAccessOptions { Context = "b" }, env);

        Assert.StartsWith("https://a-first.example", current.Server, StringComparison.Ordinal);
        Assert.Equal("ns-a", current.Namespace);
        Assert.StartsWith("https://b.example", fromSecond.Server, StringComparison.Ordinal);
        Assert.Equal("ns-b", fromSecond.Namespace);
    }

    [Fact]
    public void Connect_NoKubeconfigVariable_UsesHomeKubeConfig()
    {
        var home = Path.Combine(_dir, "home");
        Directory.CreateDirectory(Path.Combine(home, ".kube"));
        File.WriteAllText(Path.Combine(home, ".kube", "config"), Config("h", ("h", "https://home.example", null)));

        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions(), Env(("HOME", home)));

        Assert.StartsWith("https://home.example", cluster.Server, StringComparison.Ordinal);
        Assert.Equal("default", cluster.Namespace);
    }

    [Theory]
    [InlineData("opt", "ctx", "opt")]
    [InlineData(null, "ctx", "ctx")]
    [InlineData(null, null, "default")]
    public void Connect_Namespace_OptionThenContextThenDefault(string? option, string? contextNamespace, string expected)
    {
        var file = Write("ns.yaml", Config("c", ("c", "https://c.example", contextNamespace)));

        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file, Namespace = option }, Env());

        Assert.Equal(expected, cluster.Namespace);
    }

    [Fact]
    public void Resolve_NothingFound_SaysWhereItLookedAndHints()
    {
        var home = Path.Combine(_dir, "empty-home");
        Directory.CreateDirectory(home);

        var error = Assert.Throws<KubernetesAccessException>(() => KubeconfigResolver.Resolve(new KubernetesAccessOptions(), Env(("HOME", home)), () => false));

        Assert.Contains("no Kubernetes configuration found", error.Message, StringComparison.Ordinal);
        Assert.Contains("KUBECONFIG", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(home, ".kube", "config"), error.Message, StringComparison.Ordinal);
        Assert.Contains("in-cluster", error.Message, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_MissingKubeconfigOption_NamesTheFile()
    {
        var file = Path.Combine(_dir, "nope.yaml");

        var error = Assert.Throws<KubernetesAccessException>(() => KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, Env()));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_InvalidFile_NamesFileAndParserMessage()
    {
        var file = Write("broken.yaml", "apiVersion: v1\nclusters: [\n  - name: x\n    cluster: {server: \"unterminated\n");

        var error = Assert.Throws<KubernetesAccessException>(() => KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, Env()));

        Assert.Contains("cannot read kubeconfig " + file, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length > ("cannot read kubeconfig " + file + ": ").Length, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Connect_UnknownContext_ListsAvailableContextsWithoutSecrets()
    {
        var file = Write("ctx.yaml", Config("one", ("one", "https://one.example", null), ("two", "https://two.example", null)));

        var error = Assert.Throws<KubernetesAccessException>(() => KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file, Context = "three" }, Env()));

        Assert.Contains("context \"three\" not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("available: one, two", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void Connect_NoCurrentContext_AsksForContext()
    {
        var file = Write("nocurrent.yaml", Config(null, ("one", "https://one.example", null)));

        var error = Assert.Throws<KubernetesAccessException>(() => KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = file }, Env()));

        Assert.Contains("no current-context", error.Message, StringComparison.Ordinal);
        Assert.Contains("--context", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AKubeconfigWinsOverInCluster()
    {
        var variable = Write("variable.yaml", Config("var", ("var", "https://variable.example", "ns-var")));

        var resolved = KubeconfigResolver.Resolve(new KubernetesAccessOptions(), Env(("KUBECONFIG", variable)), () => true);

        Assert.StartsWith("https://variable.example", resolved.Server, StringComparison.Ordinal);
        Assert.DoesNotContain("in-cluster", resolved.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InClusterWithoutAUsableServiceAccount_IsAClearError()
    {
        // Precondition of this machine (CI is not a pod): no service account token, so the in-cluster path cannot work.
        Assert.False(File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/token"), "this test expects a machine that is not a Kubernetes pod");

        var error = Assert.Throws<KubernetesAccessException>(() => KubeconfigResolver.Resolve(new KubernetesAccessOptions(), Env(), () => true));

        Assert.StartsWith("cannot use the in-cluster service account", error.Message, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig", error.Hint, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var home = Path.Combine(_dir, "no-home");
        return name => variables.FirstOrDefault(v => v.Name == name).Value ?? (name == "HOME" ? home : null);
    }

    internal static string Config(string? current, params (string Name, string Server, string? Namespace)[] contexts)
    {
        var text = new System.Text.StringBuilder("apiVersion: v1\nkind: Config\n");
        if (current is not null)
        {
            text.Append("current-context: ").Append(current).Append('\n');
        }

        text.Append("clusters:\n");
        foreach (var c in contexts)
        {
            text.Append($"- name: {c.Name}-cluster\n  cluster:\n    server: {c.Server}\n    insecure-skip-tls-verify: true\n");
        }

        text.Append("users:\n");
        foreach (var c in contexts)
        {
            text.Append($"- name: {c.Name}-user\n  user:\n    token: token-{c.Name}-secret\n");
        }

        text.Append("contexts:\n");
        foreach (var c in contexts)
        {
            text.Append($"- name: {c.Name}\n  context:\n    cluster: {c.Name}-cluster\n    user: {c.Name}-user\n");
            if (c.Namespace is not null)
            {
                text.Append($"    namespace: {c.Namespace}\n");
            }
        }

        return text.ToString();
    }
}
