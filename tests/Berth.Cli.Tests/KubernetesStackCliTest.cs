using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// What the CLI tests under Kubernetes start from: the test's files in a temp project, a fresh API test double (not
/// a cluster) with a kubeconfig for a namespace (<c>shop</c> unless the test names another) beside them, and
/// <see cref="Berth"/>, which runs <c>berth stack …</c> through the real command tree with the Kubernetes
/// orchestrator and that kubeconfig. Disposing stops the double and deletes the project.
/// </summary>
public abstract class KubernetesStackCliTest : IAsyncLifetime
{
    private readonly string _namespace;

    protected KubernetesStackCliTest(params (string Name, string Content)[] files)
        : this("shop", files)
    {
    }

    protected KubernetesStackCliTest(string @namespace, params (string Name, string Content)[] files)
    {
        _namespace = @namespace;
        Project = new TempProject(files);
    }

    protected TempProject Project { get; }

    protected KubernetesApiDouble Double { get; private set; } = null!;

    protected string Kubeconfig { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        Kubeconfig = Double.WriteKubeconfig(Project.PathOf("kubeconfig"), "double", _namespace);
    }

    public async ValueTask DisposeAsync()
    {
        await Double.DisposeAsync();
        Project.Dispose();
        GC.SuppressFinalize(this);
    }

    protected (int ExitCode, string Stdout, string Stderr) Berth(params string[] args)
        => CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" }, ["stack", .. args, "--kubeconfig", Kubeconfig]);
}
