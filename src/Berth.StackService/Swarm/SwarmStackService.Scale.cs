using Berth.Stacks.Events;
using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.StackService.Swarm;

/// <summary><c>stack scale</c> on Swarm: Replicas of the live spec, written through the shared update retry, then the deploy's convergence wait.</summary>
internal sealed partial class SwarmStackService
{
    public Task<StackScaleResult> ScaleAsync(string stack, IReadOnlyList<StackScaleTarget> targets, StackScaleOptions options, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        return RunAsync(async client =>
        {
            var engine = new EngineCalls(client, events);
            var live = await engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = StackOwnership.StackFilter(stack) }, cancellationToken)).ConfigureAwait(false);
            var byName = live.Where(s => StackOwnership.Owned(s.Spec?.Labels, stack) && s.Spec?.Name is not null)
                .ToDictionary(s => ComposeName(stack, s.Spec!.Name!), StringComparer.Ordinal);
            var result = new StackScaleResult(Orchestrator, stack) { Services = [.. byName.Keys.Order(StringComparer.Ordinal)], Timeout = options.Timeout };

            // Everything is checked before the first write: one bad target means nothing changes.
            var refused = new List<StackScaleRefusal>();
            var plan = new List<(StackScaleTarget Target, SwarmService Service, string Name)>();
            foreach (var target in targets)
            {
                var name = ComposeName(stack, target.Service);
                if (!byName.TryGetValue(name, out var service))
                {
                    refused.Add(new StackScaleRefusal(name, $"no service {name} in stack {stack}"));
                }
                else if (Refusal(service.Spec!.Mode) is { } reason)
                {
                    refused.Add(new StackScaleRefusal(name, $"{name} is {reason}"));
                }
                else
                {
                    plan.Add((target, service, name));
                }
            }

            if (refused.Count > 0)
            {
                return result with { Refused = [.. refused] };
            }

            // The engine's clock, for the wait (task timestamps are its own); also fails clearly on a non-manager.
            var info = options.Detach ? null : await SwarmEngine.RequireManagerAsync(client, cancellationToken).ConfigureAwait(false);
            var infoAt = DateTime.UtcNow;
            var writesStartLocal = DateTime.UtcNow;
            var scaled = new List<StackScaled>();
            foreach (var (target, service, name) in plan)
            {
                var spec = service.Spec!;
                var from = (int)(spec.Mode!.Replicated!.Replicas ?? 1);
                scaled.Add(new StackScaled(name, spec.Name!, from, target.Replicas));
                if (from == target.Replicas)
                {
                    continue;
                }

                engine.Publish(new ObjectWriting(ObjectStep.Update, "service", spec.Name!) { Id = service.ID, Fields = ["replicas"] });
                spec.Mode.Replicated.Replicas = (ulong)target.Replicas;
                await engine.UpdateServiceAsync(service.ID, service.Version?.Index, version => new ServiceUpdateParameters { Service = spec, Version = version }, cancellationToken).ConfigureAwait(false);
            }

            result = result with { Scaled = [.. scaled], Writes = engine.Writes };
            if (options.Detach)
            {
                return result;
            }

            var clockOffset = EngineClock.Offset(info!, infoAt);
            var names = scaled.Select(s => s.Object).ToList();
            var settings = new ConvergenceSettings(options.Timeout, TimeSpan.FromMilliseconds(250), options.Stability, clockOffset, RollingBack: false)
            {
                Written = scaled.Where(s => !s.Unchanged).Select(s => s.Object).ToHashSet(StringComparer.Ordinal),
                WrittenAfter = writesStartLocal + clockOffset - EngineClock.Tolerance,
            };
            var (converged, failures) = await new ConvergenceWaiter(engine).WaitAsync(names, settings, cancellationToken).ConfigureAwait(false);
            return result with { Converged = converged, Failures = failures };
        }, cancellationToken);
    }

    /// <summary>The Compose name of <c>&lt;stack&gt;_&lt;service&gt;</c>; a name without the prefix is already one.</summary>
    private static string ComposeName(string stack, string name)
        => name.StartsWith(stack + "_", StringComparison.Ordinal) ? name[(stack.Length + 1)..] : name;

    private static string? Refusal(ServiceMode? mode) => mode switch
    {
        { Replicated: not null } => null,
        { Global: not null } => "a global service (one task per node): it has no replica count",
        { ReplicatedJob: not null } or { GlobalJob: not null } => "a job: jobs run to completion and are not scaled",
        _ => "not a replicated service",
    };
}
