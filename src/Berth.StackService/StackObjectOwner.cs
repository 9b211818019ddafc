namespace Berth.StackService;

/// <summary>
/// Kubernetes: the object every namespaced object a deploy applies names as its controller (an ownerReference with
/// controller: true), so the cluster's garbage collector and <c>kubectl</c> see whose it is. berth-controller sets
/// it to the stack; the CLI leaves it unset and its objects carry none.
/// </summary>
public sealed record StackObjectOwner(string ApiVersion, string Kind, string Name, string Uid);
