using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace Berth.Kubernetes.Access;

/// <summary>What <see cref="KubeconfigResolver"/> found: the client settings and where they came from.</summary>
internal sealed record ResolvedAccess(KubernetesClientConfiguration Configuration, string Namespace, string Server, string Source, string? Context, string? User);

/// <summary>
/// Finds the cluster settings as kubectl does: <c>--kubeconfig</c> (one file) &gt; <c>KUBECONFIG</c> (several files,
/// merged, the first file to name a context, cluster, user or current-context wins) &gt; <c>~/.kube/config</c> &gt;
/// the in-cluster service account. Reads files only; makes no request.
/// </summary>
internal static class KubeconfigResolver
{
    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private const string Hint = "pass --kubeconfig <file> or set KUBECONFIG";

    public static ResolvedAccess Resolve(KubernetesAccessOptions options, Func<string, string?> environment, Func<bool>? isInCluster = null)
    {
        var looked = new List<string>();
        var files = Files(options, environment, looked);
        if (files is null)
        {
            if ((isInCluster ?? KubernetesClientConfiguration.IsInCluster)())
            {
                return InCluster(options);
            }

            looked.Add("in-cluster service account (KUBERNETES_SERVICE_HOST not set)");
            throw new KubernetesAccessException($"no Kubernetes configuration found (looked at: {string.Join("; ", looked)})", Hint);
        }

        var config = Load(files);
        var source = string.Join(Path.PathSeparator, files.Select(f => f.FullName));
        var context = string.IsNullOrEmpty(options.Context) ? config.CurrentContext : options.Context;
        var contexts = (config.Contexts ?? []).Where(c => c.Name is not null).Select(c => c.Name).ToList();
        var available = contexts.Count == 0 ? "it defines none" : "available: " + string.Join(", ", contexts);
        if (string.IsNullOrEmpty(context))
        {
            throw new KubernetesAccessException($"{source} has no current-context ({available})", "pass --context <name> or run 'kubectl config use-context <name>'");
        }

        var details = (config.Contexts ?? []).FirstOrDefault(c => c.Name == context)?.ContextDetails;
        if (details is null)
        {
            throw new KubernetesAccessException($"context \"{context}\" not found in {source} ({available})", "pass one of the available contexts with --context");
        }

        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context, null);
        }
        catch (Exception ex) when (ex is KubeConfigException or FormatException or IOException or ArgumentException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            throw new KubernetesAccessException($"context \"{context}\" in {source} cannot be used: {OneLine(ex.Message)}", "fix the kubeconfig or pick another context with --context", ex);
        }

        var @namespace = NonEmpty(options.Namespace) ?? NonEmpty(details.Namespace) ?? "default";
        return new ResolvedAccess(configuration, @namespace, configuration.Host ?? string.Empty, $"context \"{context}\" in {source}", context, details.User);
    }

    /// <summary>The kubeconfig files to merge, or null when none of the places holds one.</summary>
    private static List<FileInfo>? Files(KubernetesAccessOptions options, Func<string, string?> environment, List<string> looked)
    {
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            var file = new FileInfo(options.Kubeconfig);
            if (!file.Exists)
            {
                throw new KubernetesAccessException($"kubeconfig file {file.FullName} (--kubeconfig) does not exist", "check the path given to --kubeconfig");
            }

            return [file];
        }

        var variable = environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(variable))
        {
            // kubectl skips the files of the list that do not exist.
            var listed = variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(p => new FileInfo(p)).ToList();
            var existing = listed.Where(f => f.Exists).DistinctBy(f => f.FullName).ToList();
            if (existing.Count > 0)
            {
                return existing;
            }

            looked.Add($"KUBECONFIG={variable} (no such file)");
        }
        else
        {
            looked.Add("KUBECONFIG (not set)");
        }

        var home = NonEmpty(environment("HOME")) ?? NonEmpty(environment("USERPROFILE"));
        if (home is not null)
        {
            var file = new FileInfo(Path.Combine(home, ".kube", "config"));
            if (file.Exists)
            {
                return [file];
            }

            looked.Add($"{file.FullName} (no such file)");
        }
        else
        {
            looked.Add("~/.kube/config (HOME not set)");
        }

        return null;
    }

    private static K8SConfiguration Load(List<FileInfo> files)
    {
        var loaded = new List<K8SConfiguration>();
        foreach (var file in files)
        {
            try
            {
                loaded.Add(Absolute(KubernetesClientConfiguration.LoadKubeConfig(file, useRelativePaths: true), file));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new KubernetesAccessException($"cannot read kubeconfig {file.FullName}: {OneLine(Innermost(ex).Message)}", "fix the file or point --kubeconfig / KUBECONFIG at another one", ex);
            }
        }

        return Merge(loaded);
    }

    /// <summary>Merges like kubectl: the first file to define a name (or a current-context) wins.</summary>
    internal static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> configs)
    {
        var merged = new K8SConfiguration
        {
            FileName = configs[0].FileName,
            CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
            Contexts = [.. configs.SelectMany(c => c.Contexts ?? []).Where(c => c.Name is not null).DistinctBy(c => c.Name, StringComparer.Ordinal)],
            Clusters = [.. configs.SelectMany(c => c.Clusters ?? []).Where(c => c.Name is not null).DistinctBy(c => c.Name, StringComparer.Ordinal)],
            Users = [.. configs.SelectMany(c => c.Users ?? []).Where(c => c.Name is not null).DistinctBy(c => c.Name, StringComparer.Ordinal)],
        };
        return merged;
    }

    /// <summary>Relative certificate and key paths are relative to their own file, which merging would lose.</summary>
    private static K8SConfiguration Absolute(K8SConfiguration config, FileInfo file)
    {
        var directory = file.DirectoryName ?? string.Empty;
        string? Full(string? path) => string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { } endpoint)
            {
                endpoint.CertificateAuthority = Full(endpoint.CertificateAuthority);
            }
        }

        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is { } credentials)
            {
                credentials.ClientCertificate = Full(credentials.ClientCertificate);
                credentials.ClientKey = Full(credentials.ClientKey);
            }
        }

        config.FileName = file.FullName;
        return config;
    }

    private static ResolvedAccess InCluster(KubernetesAccessOptions options)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.InClusterConfig();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new KubernetesAccessException($"cannot use the in-cluster service account: {OneLine(ex.Message)}", Hint, ex);
        }

        var @namespace = NonEmpty(options.Namespace) ?? ReadServiceAccountNamespace() ?? NonEmpty(configuration.Namespace) ?? "default";
        return new ResolvedAccess(configuration, @namespace, configuration.Host ?? string.Empty, "in-cluster service account", null, "the pod's service account");
    }

    private static string? ReadServiceAccountNamespace()
    {
        try
        {
            return File.Exists(ServiceAccountNamespaceFile) ? NonEmpty(File.ReadAllText(ServiceAccountNamespaceFile).Trim()) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        // The YAML parser's message says where; wrappers only say "failed to load".
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
