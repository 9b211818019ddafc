using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>
/// The headless Service a StatefulSet needs (spec.serviceName) for stable pod DNS names: the service's own
/// Service when that is headless already, otherwise an extra <c>&lt;name&gt;-headless</c>.
/// </summary>
internal static class GoverningService
{
    public const string Suffix = "-headless";

    public static string NameFor(ServiceUnit unit) => ServiceShape.IsHeadless(unit) ? unit.Name : unit.Name + Suffix;
}
