using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;

namespace Berth.StackService.Tests;

/// <summary>
/// What every Kubernetes test of the layer starts from: a fresh API test double (not a cluster), a kubeconfig for it
/// with namespace <c>shop</c> in a temp folder, and the Kubernetes stack service opened on that kubeconfig.
/// </summary>
public abstract class KubernetesLayerTest : IAsyncLifetime
{
    protected KubernetesApiDouble Double { get; private set; } = null!;

    protected IStackService Service { get; private set; } = null!;

    protected string Folder { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        Folder = Directory.CreateTempSubdirectory("berth-layer-k8s-").FullName;
        var kubeconfig = Double.WriteKubeconfig(Path.Combine(Folder, "kubeconfig"), "double", "shop");
        Service = StackServices.Kubernetes(new KubernetesAccessOptions { Kubeconfig = kubeconfig }, _ => null);
    }

    public async ValueTask DisposeAsync()
    {
        Service.Dispose();
        await Double.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
