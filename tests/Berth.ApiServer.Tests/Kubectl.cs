using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>The real kubectl (/usr/bin/kubectl) against a running berth-apiserver, with its own kubeconfig and cache.</summary>
internal sealed class Kubectl
{
    public const string Executable = "/usr/bin/kubectl";

    private readonly string _kubeconfig;
    private readonly string _cacheDir;

    public Kubectl(RunningServer server, string? token, string name = "kubeconfig")
    {
        _kubeconfig = server.Folder.Write(name, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: berth
              cluster:
                server: {server.BaseUri.ToString().TrimEnd('/')}
                certificate-authority: {server.CaFile}
            users:
            - name: user
              user: {(token is null ? "{}" : "{token: " + token + "}")}
            contexts:
            - name: berth
              context: {"{cluster: berth, user: user, namespace: default}"}
            current-context: berth

            """);
        _cacheDir = server.Folder.PathOf("kube-cache-" + name);
    }

    public Task<ToolResult> RunWithInputAsync(string input, params string[] args) => Task.Run(() => ToolProcess.Run(Executable, [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", _cacheDir], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: input));

    public Task<ToolResult> RunAsync(params string[] args) => Task.Run(() => ToolProcess.Run(Executable, [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", _cacheDir], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60)));
}
