namespace Berth.Stacks.Progress;

/// <summary>One service while waiting: its task counts and a one-word state (or the latest task error).</summary>
public sealed record ServiceProgress(string Name, ulong Running, ulong Desired, string State, bool Done, bool Failed);
