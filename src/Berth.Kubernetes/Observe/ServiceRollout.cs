using System.Collections.Immutable;
using Berth.Stacks.Progress;

namespace Berth.Kubernetes.Observe;

/// <summary>One Compose service at one observation: its workloads' rollout, its pods' problems and the progress line shown.</summary>
internal sealed record ServiceRollout(string Service, RolloutState Rollout, ImmutableArray<PodProblem> Problems, ServiceProgress Progress);
