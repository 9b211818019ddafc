namespace Berth.StackApi;

/// <summary>One object Berth's converter plans for a stack: apiVersion ("apps/v1"), kind and name.</summary>
public sealed record PlannedObject(string ApiVersion, string Kind, string Name);
