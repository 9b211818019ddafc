namespace Berth.Controller.Reconcile;

/// <summary>A stack's identity in the work queue: namespace and name.</summary>
internal sealed record StackKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
