using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// coordination.k8s.io/v1 Leases in the Kubernetes API test double (the documented double, not a cluster): stored,
/// discoverable, updated under resourceVersion preconditions, validated as kubernetes
/// pkg/apis/coordination/validation/validation.go and apimachinery's MicroTime decoding refuse them.
/// </summary>
public sealed class ApiDoubleLeaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Lease Lease(string name, int durationSeconds = 15, int transitions = 0) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = durationSeconds, LeaseTransitions = transitions, RenewTime = DateTime.UtcNow, AcquireTime = DateTime.UtcNow },
    };

    [Fact]
    public async Task Lease_is_served_listed_in_discovery_and_updated_under_its_resourceVersion()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);

        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock"), "default", cancellationToken: Ct);
        var read = await client.CoordinationV1.ReadNamespacedLeaseAsync("lock", "default", cancellationToken: Ct);
        read.Spec.HolderIdentity = "b";
        read.Metadata.ManagedFields = null;
        var updated = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(read, "lock", "default", cancellationToken: Ct);
        created.Spec.HolderIdentity = "c";
        created.Metadata.ManagedFields = null;
        var (staleCode, staleStatus) = await Refused(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "lock", "default", cancellationToken: Ct));
        var groups = JsonNode.Parse(await http.GetStringAsync(new Uri("/apis", UriKind.Relative), Ct))!;
        var resources = JsonNode.Parse(await http.GetStringAsync(new Uri("/apis/coordination.k8s.io/v1", UriKind.Relative), Ct))!;

        Assert.Equal("b", updated.Spec.HolderIdentity);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);
        Assert.Equal(HttpStatusCode.Conflict, staleCode);
        Assert.Equal("Operation cannot be fulfilled on leases.coordination.k8s.io \"lock\": the object has been modified; please apply your changes to the latest version and try again", staleStatus["message"]!.ToString());
        Assert.Equal("b", api.Get("leases.coordination.k8s.io", "default", "lock")!["spec"]!["holderIdentity"]!.ToString());
        // KubernetesClient writes MicroTime with the six fractional digits the server's layout needs.
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", api.Get("leases.coordination.k8s.io", "default", "lock")!["spec"]!["renewTime"]!.ToString());
        Assert.Contains(groups["groups"]!.AsArray(), g => g!["name"]!.ToString() == "coordination.k8s.io");
        var lease = Assert.Single(resources["resources"]!.AsArray(), r => r!["name"]!.ToString() == "leases");
        Assert.True(lease!["namespaced"]!.GetValue<bool>());
        Assert.Equal("Lease", lease["kind"]!.ToString());
    }

    [Fact]
    public async Task Lease_spec_is_validated_as_the_api_server_validates_it()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (zeroCode, zero) = await Refused(() => client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock", durationSeconds: 0), "default", cancellationToken: Ct));
        var (negativeCode, negative) = await Refused(() => client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock", durationSeconds: -1, transitions: -1), "default", cancellationToken: Ct));
        var preferred = Lease("lock");
        preferred.Spec.PreferredHolder = "b";
        var (preferredCode, preferredStatus) = await Refused(() => client.CoordinationV1.CreateNamespacedLeaseAsync(preferred, "default", cancellationToken: Ct));
        await client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock"), "default", cancellationToken: Ct);
        var released = await client.CoordinationV1.ReadNamespacedLeaseAsync("lock", "default", cancellationToken: Ct);
        released.Spec.HolderIdentity = string.Empty;
        released.Spec.LeaseDurationSeconds = 0;
        released.Metadata.ManagedFields = null;
        var (updateCode, updateStatus) = await Refused(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(released, "lock", "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, zeroCode);
        Assert.Equal("Lease.coordination.k8s.io \"lock\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0", zero["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, negativeCode);
        Assert.Equal("Lease.coordination.k8s.io \"lock\" is invalid: [spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]", negative["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, preferredCode);
        Assert.Equal("Lease.coordination.k8s.io \"lock\" is invalid: spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined", preferredStatus["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, updateCode);
        Assert.Contains("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0", updateStatus["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("a", api.Get("leases.coordination.k8s.io", "default", "lock")!["spec"]!["holderIdentity"]!.ToString());
    }

    [Theory]
    [InlineData("2026-08-11T19:37:19.103Z", "cannot parse \".103Z\" as \".000000\"")]
    [InlineData("2026-08-11T19:37:19Z", "cannot parse \"Z\" as \".000000\"")]
    [InlineData("2026-08-11T19:37:19.636526400Z", "cannot parse \"400Z\" as \"Z07:00\"")]
    public async Task MicroTime_without_exactly_six_fractional_digits_cannot_be_decoded(string renewTime, string problem)
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
        var body = $$$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"lock"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"{{{renewTime}}}"}}""";

        using var response = await http.PostAsync(new Uri("/apis/coordination.k8s.io/v1/namespaces/default/leases", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"Lease in version \"v1\" cannot be handled as a Lease: parsing time \"{renewTime}\" as \"2006-01-02T15:04:05.000000Z07:00\": {problem}", status["message"]!.ToString());
        Assert.Null(api.Get("leases.coordination.k8s.io", "default", "lock"));
    }
}
