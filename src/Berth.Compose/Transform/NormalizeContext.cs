using System.Collections.Immutable;

namespace Berth.Compose.Transform;

/// <summary>What normalisation needs besides the document.</summary>
/// <param name="ProjectName">The resolved project name.</param>
/// <param name="ProjectDirectory">Absolute project folder.</param>
/// <param name="Environment">Variables for key-only environment entries and env_file interpolation.</param>
/// <param name="Interpolate">False under --no-interpolate: env_file contents are then not interpolated.</param>
public sealed record NormalizeContext(string ProjectName, string ProjectDirectory, ImmutableDictionary<string, string> Environment, bool Interpolate);
