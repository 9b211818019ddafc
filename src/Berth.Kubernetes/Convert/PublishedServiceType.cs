namespace Berth.Kubernetes.Convert;

/// <summary>The Service type that carries published ports (compose-on-kubernetes' <c>--default-service-type</c>).</summary>
public enum PublishedServiceType
{
    LoadBalancer,
    NodePort,
}
