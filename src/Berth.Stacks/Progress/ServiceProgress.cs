namespace Berth.Stacks.Progress;

/// <summary>One service while waiting: its task counts and a one-word state (or the latest task error).</summary>
public sealed record ServiceProgress(string Name, ulong Running, ulong Desired, string State, bool Done, bool Failed);

/// <summary>Receives convergence progress; <see cref="ConvergenceDisplay"/> draws it.</summary>
public interface IConvergenceReporter
{
    void Update(IReadOnlyList<ServiceProgress> services);

    void Complete(IReadOnlyList<ServiceProgress> services, bool converged);
}
