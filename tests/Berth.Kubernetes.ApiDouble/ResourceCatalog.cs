namespace Berth.Kubernetes.ApiDouble;

/// <summary>The resources the test double knows; anything else is a 404 like an unknown API.</summary>
internal static class ResourceCatalog
{
    public static readonly IReadOnlyList<ResourceType> All =
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false),
        new("", "v1", "nodes", "Node", Namespaced: false),
        new("", "v1", "pods", "Pod", Namespaced: true),
        new("", "v1", "services", "Service", Namespaced: true),
        new("", "v1", "secrets", "Secret", Namespaced: true),
        new("", "v1", "configmaps", "ConfigMap", Namespaced: true),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", Namespaced: true),
        new("", "v1", "events", "Event", Namespaced: true),
        new("", "v1", "serviceaccounts", "ServiceAccount", Namespaced: true),
        new("", "v1", "endpoints", "Endpoints", Namespaced: true),
        new("apps", "v1", "deployments", "Deployment", Namespaced: true),
        new("apps", "v1", "statefulsets", "StatefulSet", Namespaced: true),
        new("apps", "v1", "daemonsets", "DaemonSet", Namespaced: true),
        new("apps", "v1", "replicasets", "ReplicaSet", Namespaced: true),
        new("batch", "v1", "jobs", "Job", Namespaced: true),
        new("batch", "v1", "cronjobs", "CronJob", Namespaced: true),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", Namespaced: true),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", Namespaced: true),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", Namespaced: true),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", Namespaced: true),
        new("coordination.k8s.io", "v1", "leases", "Lease", Namespaced: true),
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", Namespaced: false),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", Namespaced: true),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", Namespaced: true),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", Namespaced: false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", Namespaced: false),
        new("apiregistration.k8s.io", "v1", "apiservices", "APIService", Namespaced: false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", Namespaced: false),
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", Namespaced: false),
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", Namespaced: false),
    ];

    public static readonly ResourceType Namespaces = Require("namespaces");
    public static readonly ResourceType Nodes = Require("nodes");
    public static readonly ResourceType Pods = Require("pods");
    public static readonly ResourceType Events = Require("events");
    public static readonly ResourceType Deployments = Require("deployments.apps");
    public static readonly ResourceType ReplicaSets = Require("replicasets.apps");
    public static readonly ResourceType StatefulSets = Require("statefulsets.apps");
    public static readonly ResourceType DaemonSets = Require("daemonsets.apps");
    public static readonly ResourceType Jobs = Require("jobs.batch");
    public static readonly ResourceType Claims = Require("persistentvolumeclaims");
    public static readonly ResourceType StorageClasses = Require("storageclasses.storage.k8s.io");

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>Finds by plural[.group]; a bare plural also matches a grouped resource ("deployments").</summary>
    public static ResourceType? FindByName(string name) =>
        All.FirstOrDefault(t => t.FullName == name) ?? All.FirstOrDefault(t => t.Plural == name);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    public static ResourceType Require(string name) =>
        FindByName(name) ?? throw new ArgumentException($"The Kubernetes API test double does not serve \"{name}\".", nameof(name));
}
