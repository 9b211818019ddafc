using System.Collections.Immutable;

namespace Berth.StackApi;

/// <summary>The authenticated user a create or update came from (recorded as the stack's owner).</summary>
public sealed record StackUser(string Name, string? Uid, ImmutableArray<string> Groups, ImmutableDictionary<string, ImmutableArray<string>> Extra);
