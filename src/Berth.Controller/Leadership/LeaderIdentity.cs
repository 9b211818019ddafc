using System.Net;

namespace Berth.Controller.Leadership;

/// <summary>
/// A replica's identity in the Lease: <c>&lt;hostname&gt;_&lt;uuid&gt;</c> as kube-controller-manager builds it
/// (cmd/kube-controller-manager/app/controllermanager.go: os.Hostname() + "_" + uuid.NewUUID()), unique even when
/// two replicas share a host name.
/// </summary>
internal static class LeaderIdentity
{
    public static string New() => $"{Dns.GetHostName()}_{Guid.NewGuid()}";
}
