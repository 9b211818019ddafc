namespace Berth.Kubernetes.ApiDouble;

/// <summary>Custom resources of the stored CRDs, and the admission and conversion webhooks (CustomResource*.cs, AdmissionWebhooks.cs).</summary>
public sealed partial class KubernetesApiDouble
{
    private readonly WebhookClient _webhookClient = new();
    private CustomResources? _customResources;
    private AdmissionWebhooks? _admissionWebhooks;
    private CustomResourceConversion? _conversion;

    internal CustomResources CustomResources => LazyInitializer.EnsureInitialized(ref _customResources, () => new CustomResources(_store));

    internal AdmissionWebhooks AdmissionWebhooks => LazyInitializer.EnsureInitialized(ref _admissionWebhooks, () => new AdmissionWebhooks(_store, _webhookClient));

    internal CustomResourceConversion Conversion => LazyInitializer.EnsureInitialized(ref _conversion, () => new CustomResourceConversion(_webhookClient));

    /// <summary>
    /// Stands in for a Service and its endpoints when a webhook's <c>clientConfig.service</c> names it: calls to
    /// <c>https://&lt;name&gt;.&lt;namespace&gt;.svc:&lt;port&gt;&lt;path&gt;</c> go to <paramref name="url"/> (loopback), TLS still
    /// checked against the caBundle for the name <c>&lt;name&gt;.&lt;namespace&gt;.svc</c>.
    /// </summary>
    public void SetWebhookService(string @namespace, string name, int port, Uri url) => _webhookClient.SetService(@namespace, name, port, url);
}
