namespace Berth.Kubernetes.ApiDouble;

/// <summary>Where an object is stored: resource full name, namespace ("" when cluster-scoped), name.</summary>
internal readonly record struct ObjectKey(string Resource, string Namespace, string Name);
