namespace Berth.Kubernetes.Access;

/// <summary>
/// The cluster cannot be used: no or bad kubeconfig, unknown context, unreachable server, expired credentials,
/// an RBAC refusal. <see cref="Exception.Message"/> is one line for the user (never a request body); <see cref="Hint"/>
/// says what to do.
/// </summary>
public sealed class KubernetesAccessException : Exception
{
    public KubernetesAccessException(string message, string? hint = null, Exception? innerException = null)
        : base(message, innerException) => Hint = hint;

    public KubernetesAccessException()
    {
    }

    public KubernetesAccessException(string message)
        : base(message)
    {
    }

    public KubernetesAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? Hint { get; }
}
