using static Berth.Kubernetes.Convert.FidelityOutcome;

namespace Berth.Kubernetes.Convert.Fidelity;

/// <summary>
/// One explicit rule for every key of a Compose service (the compose-spec <c>service</c> schema). Handlers
/// may report a more specific outcome for a key (an approximation only some values need); otherwise the
/// rule here is what the fidelity report says. A test checks that every schema key has a rule.
/// </summary>
internal static class ServiceKeyRules
{
    /// <remarks>
    /// A plain dictionary: it is read a few dozen times per conversion, and building a frozen one (it analyses the
    /// keys to pick a hashing strategy) cost more at start-up than all the look-ups it would speed up.
    /// </remarks>
    public static IReadOnlyDictionary<string, KeyRule> All { get; } = new Dictionary<string, KeyRule>(StringComparer.Ordinal)
    {
        ["annotations"] = new(Mapped, "pod template annotations"),
        ["attach"] = new(Ignored, "log attachment is a property of 'docker compose up', not of the workload"),
        ["blkio_config"] = new(Unsupported, "Kubernetes has no block-IO weights or throttling per container"),
        ["build"] = new(Ignored, "Kubernetes runs images; build and push them before converting (the image name is used as is)"),
        ["cap_add"] = new(Mapped, "container securityContext.capabilities.add"),
        ["cap_drop"] = new(Mapped, "container securityContext.capabilities.drop"),
        ["cgroup"] = new(Unsupported, "the cgroup namespace mode is chosen by the container runtime"),
        ["cgroup_parent"] = new(Unsupported, "the kubelet chooses the cgroup hierarchy"),
        ["command"] = new(Mapped, "container args"),
        ["configs"] = new(Mapped, "ConfigMap projected volume at the target directory"),
        ["container_name"] = new(Ignored, "pods are named by their controller; the container is named after the service"),
        ["cpu_count"] = new(Unsupported, "Windows-only CPU count; Kubernetes has CPU quantities only"),
        ["cpu_percent"] = new(Unsupported, "Windows-only CPU percentage; Kubernetes has CPU quantities only"),
        ["cpu_period"] = new(Unsupported, "the CFS period is a kubelet setting"),
        ["cpu_quota"] = new(Unsupported, "use deploy.resources.limits.cpus; a raw CFS quota is a kubelet setting"),
        ["cpu_rt_period"] = new(Unsupported, "Kubernetes has no real-time CPU scheduling settings"),
        ["cpu_rt_runtime"] = new(Unsupported, "Kubernetes has no real-time CPU scheduling settings"),
        ["cpu_shares"] = new(Unsupported, "use deploy.resources.reservations.cpus; Kubernetes derives shares from CPU requests"),
        ["cpus"] = new(Mapped, "container resources.limits.cpu"),
        ["cpuset"] = new(Unsupported, "CPU pinning is done by the kubelet's CPU manager, not per pod"),
        ["credential_spec"] = new(Unsupported, "gMSA credential specs need the Windows gMSA webhook; set securityContext.windowsOptions by hand"),
        ["depends_on"] = new(Ignored, "Kubernetes starts all workloads at once; services must retry until their dependencies answer"),
        ["deploy"] = new(Mapped, "workload kind, replicas, strategy, resources and placement"),
        ["develop"] = new(Ignored, "watch/sync is a development feature of 'docker compose'"),
        ["device_cgroup_rules"] = new(Unsupported, "device access is granted by device plugins on Kubernetes"),
        ["devices"] = new(Unsupported, "host devices need a device plugin on Kubernetes (or privileged plus a hostPath)"),
        ["dns"] = new(Mapped, "pod dnsConfig.nameservers (dnsPolicy None keeps only these)"),
        ["dns_opt"] = new(Mapped, "pod dnsConfig.options"),
        ["dns_search"] = new(Mapped, "pod dnsConfig.searches"),
        ["domainname"] = new(Unsupported, "a pod's domain comes from its governing Service (subdomain); it cannot be set freely"),
        ["entrypoint"] = new(Mapped, "container command"),
        ["env_file"] = new(Mapped, "merged into environment by the loader"),
        ["environment"] = new(Mapped, "container env"),
        ["expose"] = new(Mapped, "ClusterIP Service ports and container ports"),
        ["extends"] = new(Mapped, "resolved by the loader"),
        ["external_links"] = new(Unsupported, "containers outside the stack are not reachable by name; use an ExternalName Service"),
        ["extra_hosts"] = new(Mapped, "pod hostAliases"),
        ["gpus"] = new(Mapped, "container resources.limits nvidia.com/gpu"),
        ["group_add"] = new(Mapped, "pod securityContext.supplementalGroups"),
        ["healthcheck"] = new(Mapped, "liveness and readiness probes (startup probe for start_period)"),
        ["hostname"] = new(Mapped, "pod hostname"),
        ["image"] = new(Mapped, "container image"),
        ["init"] = new(Approximated, "shareProcessNamespace: the pod's pause process becomes PID 1 and reaps zombies"),
        ["ipc"] = new(Mapped, "pod hostIPC"),
        ["isolation"] = new(Unsupported, "Windows isolation modes are chosen by the RuntimeClass"),
        ["label_file"] = new(Mapped, "merged into labels by the loader"),
        ["labels"] = new(Mapped, "pod template annotations"),
        ["links"] = new(Mapped, "every service is reachable by name through its Service; link aliases become extra Services"),
        ["logging"] = new(Unsupported, "container logs go to the node's log files; ship them with a cluster logging agent"),
        ["mac_address"] = new(Unsupported, "pod MAC addresses are assigned by the CNI plugin"),
        ["mem_limit"] = new(Mapped, "container resources.limits.memory"),
        ["mem_reservation"] = new(Mapped, "container resources.requests.memory"),
        ["mem_swappiness"] = new(Unsupported, "swap behaviour is a kubelet setting"),
        ["memswap_limit"] = new(Unsupported, "swap limits are a kubelet setting"),
        ["models"] = new(Unsupported, "AI model bindings need Docker Model Runner, which Kubernetes does not have"),
        ["network_mode"] = new(Unsupported, "pods have their own network namespace; only 'host' (hostNetwork) can be expressed"),
        ["networks"] = new(Mapped, "one flat pod network; aliases become Services; NetworkPolicies when enabled"),
        ["oom_kill_disable"] = new(Unsupported, "the kubelet manages the OOM killer"),
        ["oom_score_adj"] = new(Unsupported, "the kubelet sets OOM scores from the pod's QoS class"),
        ["pid"] = new(Mapped, "pod hostPID"),
        ["pids_limit"] = new(Unsupported, "the PID limit is a node-wide kubelet setting (podPidsLimit)"),
        ["platform"] = new(Approximated, "node affinity on kubernetes.io/os and kubernetes.io/arch"),
        ["ports"] = new(Mapped, "container ports and Services"),
        ["post_start"] = new(Approximated, "container lifecycle postStart exec hook (user, privileged and environment of the hook are not supported)"),
        ["pre_stop"] = new(Approximated, "container lifecycle preStop exec hook (user, privileged and environment of the hook are not supported)"),
        ["privileged"] = new(Mapped, "container securityContext.privileged"),
        ["profiles"] = new(Mapped, "applied by the loader (services of disabled profiles are not converted)"),
        ["provider"] = new(Unsupported, "provider services are run by a Compose plugin, not by Kubernetes"),
        ["pull_policy"] = new(Mapped, "container imagePullPolicy"),
        ["pull_refresh_after"] = new(Approximated, "imagePullPolicy Always (Kubernetes cannot refresh on a schedule)"),
        ["read_only"] = new(Mapped, "container securityContext.readOnlyRootFilesystem"),
        ["restart"] = new(Mapped, "restart policy"),
        ["runtime"] = new(Unsupported, "select a runtime with a RuntimeClass (runtimeClassName) on Kubernetes"),
        ["scale"] = new(Mapped, "replicas"),
        ["secrets"] = new(Mapped, "Secret projected volume at the target directory"),
        ["security_opt"] = new(Unsupported, "SELinux/AppArmor/seccomp options have their own securityContext fields; set them by hand"),
        ["shm_size"] = new(Mapped, "memory emptyDir at /dev/shm with sizeLimit"),
        ["stdin_open"] = new(Mapped, "container stdin"),
        ["stop_grace_period"] = new(Mapped, "pod terminationGracePeriodSeconds"),
        ["stop_signal"] = new(Unsupported, "the stop signal is fixed by the image (STOPSIGNAL) unless the ContainerStopSignals feature is enabled"),
        ["storage_opt"] = new(Unsupported, "per-container storage driver options are not available; use ephemeral-storage limits"),
        ["sysctls"] = new(Mapped, "pod securityContext.sysctls (unsafe ones must be allowed on the kubelet)"),
        ["tmpfs"] = new(Mapped, "memory emptyDir"),
        ["tty"] = new(Mapped, "container tty"),
        ["ulimits"] = new(Unsupported, "Kubernetes has no per-pod ulimits; the container runtime's defaults apply"),
        ["use_api_socket"] = new(Unsupported, "there is no Docker API socket in a Kubernetes pod"),
        ["user"] = new(Mapped, "container securityContext.runAsUser/runAsGroup"),
        ["userns_mode"] = new(Approximated, "'host' is the Kubernetes default; other modes map to hostUsers: false"),
        ["uts"] = new(Unsupported, "pods always have their own UTS namespace"),
        ["volumes"] = new(Mapped, "PVCs, claim templates, hostPath or emptyDir volumes"),
        ["volumes_from"] = new(Approximated, "the other service's named volumes are mounted too; anonymous volumes and containers cannot be shared"),
        ["working_dir"] = new(Mapped, "container workingDir"),
    };

    /// <summary>The rule for a key, including extension keys (<c>x-*</c>), which are ignored except <c>x-kubernetes</c>.</summary>
    public static KeyRule For(string key)
    {
        if (All.TryGetValue(key, out var rule))
        {
            return rule;
        }

        if (key == "x-kubernetes")
        {
            return new KeyRule(Mapped, "pull secret, pull policy, internal service type, volume and workload settings");
        }

        return key.StartsWith("x-", StringComparison.Ordinal)
            ? new KeyRule(Ignored, "extension field with no meaning for Kubernetes")
            : new KeyRule(Unsupported, "no conversion rule for this key");
    }
}
