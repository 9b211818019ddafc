namespace Berth.Kubernetes.Observe;

/// <summary>
/// Why a pod of a Compose service is not running or ready, in the API's own words (a container's waiting reason,
/// OOMKilled, Unschedulable, a failing probe). <see cref="FailsFast"/>: a problem that does not resolve itself
/// (a wrong image, a crash loop, no node that fits), so the wait gives up on the service once it has lasted a while.
/// </summary>
internal sealed record PodProblem(string Service, string Pod, string Reason, string Message, bool FailsFast)
{
    public string Text => ProblemText.Of(Reason, Message);
}
