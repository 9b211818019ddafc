using Berth.Console.Accounts;
using Berth.Kubernetes.ApiDouble;

namespace Berth.Console.Tests;

/// <summary>
/// The console started with <c>--kubeconfig</c> pointing at the Kubernetes API test double
/// (tests/Berth.Kubernetes.ApiDouble: an in-process stand-in for kube-apiserver, not a cluster), whose simulated
/// controllers make the pods of a deployed stack ready, or fail them (<see cref="SimulatedControllers.FailPods"/>).
/// The cluster holds the namespaces <c>default</c>, <c>shop</c> (the kubeconfig's) and <c>team-b</c>. The console
/// also reaches the real Swarm engine, as it does everywhere.
/// </summary>
internal sealed class KubernetesConsole : IAsyncDisposable
{
    public const string KubeconfigNamespace = "shop";
    public const string OtherNamespace = "team-b";

    private readonly string _folder;

    private KubernetesConsole(KubernetesApiDouble api, ConsoleServer server, string folder) => (Api, Server, _folder) = (api, server, folder);

    public KubernetesApiDouble Api { get; }

    public ConsoleServer Server { get; }

    /// <param name="accounts">Each account's name, role and the namespaces it is limited to (empty: all).</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<KubernetesConsole> StartAsync(IReadOnlyList<(string Name, ConsoleRole Role, string[] Namespaces)> accounts, CancellationToken cancellationToken)
    {
        var api = await KubernetesApiDouble.StartAsync(cancellationToken);
        api.Controllers.Enabled = true;
        foreach (var ns in new[] { KubeconfigNamespace, OtherNamespace })
        {
            api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        }

        var folder = Directory.CreateTempSubdirectory("berth-console-k8s-").FullName;
        var kubeconfig = api.WriteKubeconfig(Path.Combine(folder, "kubeconfig"), "double", KubeconfigNamespace);
        var server = await ConsoleServer.StartAsync(cancellationToken, kubeconfig: kubeconfig);
        foreach (var (name, role, namespaces) in accounts)
        {
            await server.AddAccountAsync(name, role, cancellationToken: cancellationToken, namespaces: namespaces);
        }

        return new KubernetesConsole(api, server, folder);
    }

    /// <summary>The names of the Deployments the double holds in a namespace for a stack (labelled with its name).</summary>
    public IReadOnlyList<string> Deployments(string ns, string stack) =>
        [.. Api.List("deployments", ns)
            .Where(d => d["metadata"]?["labels"]?.AsObject().Any(l => l.Value?.ToString() == stack) == true)
            .Select(d => d["metadata"]!["name"]!.ToString())
            .Order(StringComparer.Ordinal)];

    /// <summary>A Deployment's desired replicas in the double, or null when it is not there.</summary>
    public int? Replicas(string ns, string deployment) =>
        Api.Get("deployments", ns, deployment)?["spec"]?["replicas"]?.GetValue<int>();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
