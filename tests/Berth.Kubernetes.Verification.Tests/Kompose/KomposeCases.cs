namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>One kompose fixture run: the Compose input, kompose's Kubernetes output for it, and how it was loaded.</summary>
internal sealed record KomposeCase(string Name, string ComposeFile, string KomposeOutput, bool Interpolate = true)
{
    /// <summary>
    /// Input → kompose default-provider output pairs of testdata/corpus/kompose. Outputs produced with non-default
    /// kompose flags (--volumes emptyDir/configMap, *-os*, *-empty-vols-*) are not paired: Berth has no such flags.
    /// "template" outputs are used where the fixture's only k8s output is the template (it differs by %VERSION% only).
    /// </summary>
    public static readonly KomposeCase[] All =
    [
        new("change-in-volume", "change-in-volume/compose.yaml", "change-in-volume/output-k8s.yaml"),
        new("compose-env-no-interpolation", "compose-env-no-interpolation/compose.yaml", "compose-env-no-interpolation/output-k8s.yaml", Interpolate: false),
        new("compose-file-support", "compose-file-support/compose.yaml", "compose-file-support/output-k8s.yaml"),
        new("configmap-file-configs-1", "configmap-file-configs/compose-1.yaml", "configmap-file-configs/output-k8s-1.yaml"),
        new("configmap-file-configs-2", "configmap-file-configs/compose-2.yaml", "configmap-file-configs/output-k8s-2.yaml"),
        new("configmap-file-configs-3", "configmap-file-configs/compose-3.yaml", "configmap-file-configs/output-k8s-3.yaml"),
        new("configmap-volume", "configmap-volume/compose.yaml", "configmap-volume/output-k8s.yaml"),
        new("configmap-volume-withlabel", "configmap-volume/compose-withlabel.yaml", "configmap-volume/output-k8s-withlabel.yaml"),
        new("cronjob", "cronjob/compose.yaml", "cronjob/output-k8s.yaml"),
        new("deploy-placement", "deploy-placement/compose-placement.yaml", "deploy-placement/output-placement-k8s.yaml"),
        new("entrypoint-command", "entrypoint-command/compose.yaml", "entrypoint-command/output-k8s-template.json"),
        new("env", "env/compose.yaml", "env/output-k8s.yaml"),
        new("envvars-interpolation", "envvars-interpolation/compose.yaml", "envvars-interpolation/output-k8s.yaml"),
        new("expose", "expose/compose.yaml", "expose/output-k8s.yaml"),
        new("fsgroup", "fsgroup/compose.yaml", "fsgroup/output-k8s.yaml"),
        new("host-port-protocol", "host-port-protocol/compose.yaml", "host-port-protocol/output-k8s.yaml"),
        new("image-pull-policy-v3", "image-pull-policy/compose-files/v3-image-pull-policy.yml", "image-pull-policy/provider-files/kubernetes-v3-image-pull-policy.json"),
        new("image-pull-policy-v12", "image-pull-policy/compose-files/v12-image-pull-policy.yml", "image-pull-policy/provider-files/kubernetes-v12-image-pull-policy.json"),
        new("initcontainer", "initcontainer/compose.yaml", "initcontainer/output-k8s.yaml"),
        new("label", "label/compose.yaml", "label/output-k8s.yaml"),
        new("multiple-type-volumes", "multiple-type-volumes/compose.yaml", "multiple-type-volumes/output-k8s.yaml"),
        new("network-mode-service", "network-mode-service/compose.yaml", "network-mode-service/output-k8s.yaml"),
        new("ports-with-ip", "ports-with-ip/docker-compose.yml", "ports-with-ip/output-k8s-template.json"),
        new("read-only", "read-only/compose.yaml", "read-only/output-k8s.yaml"),
        new("secrets-long", "secrets/docker-compose-secrets-long.yml", "secrets/output-long-k8s.json"),
        new("secrets-short", "secrets/docker-compose-secrets-short.yml", "secrets/output-short-k8s.json"),
        new("service-group", "service-group/compose.yaml", "service-group/output-k8s.yaml"),
        new("single-file-output", "single-file-output/compose.yaml", "single-file-output/output-k8s.yaml"),
        new("storage-class-name", "storage-class-name/compose.yaml", "storage-class-name/output-k8s.json"),
        new("v2", "v2/compose.yaml", "v2/output-k8s.yaml"),
        new("vols-subpath", "vols-subpath/compose.yaml", "vols-subpath/output-k8s.yaml"),
        new("volume-mounts-named-volume", "volume-mounts-named-volume/docker-compose.yml", "volume-mounts-named-volume/output-k8s-template.json"),
        new("volume-mounts-named-volume-v3", "volume-mounts-named-volume/docker-compose-v3.yml", "volume-mounts-named-volume/output-k8s-v3.json"),
        new("volume-mounts-volumes-from", "volume-mounts-volumes-from/docker-compose.yml", "volume-mounts-volumes-from/output-k8s-template.json"),
        new("volume-mounts-volumes-from-case", "volume-mounts-volumes-from/docker-compose-case.yml", "volume-mounts-volumes-from/output-k8s-case.json"),
    ];
}
