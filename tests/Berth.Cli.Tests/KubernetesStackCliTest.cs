using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// What the <c>berth stack</c> verb tests under Kubernetes start from: the test's files in a temp project, a fresh API
/// test double (not a cluster) with a kubeconfig for namespace <c>shop</c> beside them, and <see cref="Berth"/>,
/// which runs <c>berth stack …</c> through the real command tree with the Kubernetes orchestrator and that kubeconfig.
/// </summary>
public abstract class KubernetesStackCliTest(params (string Name, string Content)[] files) : IAsyncLifetime
{
    protected TempProject Project { get; } = new(files);

    protected KubernetesApiDouble Double { get; private set; } = null!;

    protected string Kubeconfig { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        Kubeconfig = Double.WriteKubeconfig(Project.PathOf("kubeconfig"), "double", "shop");
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
