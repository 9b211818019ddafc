using System.Collections.Immutable;
using Berth.Stacks.Progress;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// Judges a stack's rollout from what was last read: per Compose service the rollout state of its workloads and its
/// pods' problems. A problem that does not resolve itself (image pull, crash loop, OOM, unschedulable, config error)
/// fails the service once it has lasted <c>failFastAfter</c>; failing probes only show (they may recover) until the
/// timeout. Pure apart from remembering since when each service has had such a problem.
/// </summary>
internal sealed class RolloutTracker(IReadOnlyList<WorkloadRef> workloads, TimeSpan failFastAfter)
{
    private readonly Dictionary<string, (DateTime Since, int ReadyThen)> _troubledSince = new(StringComparer.Ordinal);

    public ImmutableArray<string> Services { get; } = [.. workloads.Select(w => w.Service).Distinct(StringComparer.Ordinal)];

    /// <param name="live">The live workload for a reference, or null when it is not there (yet).</param>
    /// <param name="pods">Pods of the stack.</param>
    /// <param name="events">Events of the namespace, when read (probe failures are only seen in them).</param>
    /// <param name="now">The time of the observation.</param>
    public ImmutableArray<ServiceRollout> Observe(Func<WorkloadRef, object?> live, IReadOnlyCollection<V1Pod> pods, IReadOnlyList<Corev1Event> events, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(live);
        var current = workloads.Select(w => live(w)).Where(w => w is not null).ToList();
        var problems = PodProblemClassifier.Classify(pods.Where(p => CurrentRevision.IsCurrent(p, current)), events, now);
        var result = ImmutableArray.CreateBuilder<ServiceRollout>(Services.Length);
        foreach (var service in Services)
        {
            var states = workloads.Where(w => w.Service == service).Select(w => RolloutEvaluator.Evaluate(live(w))).ToList();
            var rollout = Combine(states);
            var own = problems.Where(p => p.Service == service).OrderByDescending(p => p.FailsFast).ToImmutableArray();
            result.Add(Judge(service, rollout, own, now));
        }

        return result.MoveToImmutable();
    }

    private ServiceRollout Judge(string service, RolloutState rollout, ImmutableArray<PodProblem> problems, DateTime now)
    {
        if (rollout.Done)
        {
            _troubledSince.Remove(service);
            return new ServiceRollout(service, rollout, [], Progress(service, rollout, rollout.State, done: true, failed: false));
        }

        var hard = problems.FirstOrDefault(p => p.FailsFast);
        if (hard is not null)
        {
            _troubledSince.TryAdd(service, (now, rollout.Ready));
        }
        else if (_troubledSince.TryGetValue(service, out var troubled) && rollout.Ready > troubled.ReadyThen)
        {
            // Only progress ends the clock: a crash-looping container looks fine between its restarts.
            _troubledSince.Remove(service);
        }

        var failed = rollout.Failed || (hard is not null && now - _troubledSince[service].Since >= failFastAfter);
        var state = problems.IsEmpty || rollout.Failed ? rollout.State : problems[0].Text;
        return new ServiceRollout(service, rollout, problems, Progress(service, rollout, state, done: false, failed));
    }

    private static ServiceProgress Progress(string service, RolloutState rollout, string state, bool done, bool failed)
        => new(service, (ulong)Math.Max(0, rollout.Ready), (ulong)Math.Max(0, rollout.Desired), state, done, failed);

    /// <summary>A service normally has one workload; with several, counts add up and the first unfinished one speaks.</summary>
    private static RolloutState Combine(List<RolloutState> states)
    {
        if (states.Count == 1)
        {
            return states[0];
        }

        var first = states.FirstOrDefault(s => s.Failed) ?? states.FirstOrDefault(s => !s.Done) ?? states[0];
        return new RolloutState(states.Sum(s => s.Ready), states.Sum(s => s.Desired), first.State, states.All(s => s.Done), states.Any(s => s.Failed));
    }
}
