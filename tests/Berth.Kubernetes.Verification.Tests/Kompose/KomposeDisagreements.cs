namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>
/// The precise form a justified difference takes: a predicate over (kompose facts, Berth facts) and its description for
/// the report. An entry whose fixture or service is "*" must have one, so a generic entry justifies only that form of
/// difference and a new, different disagreement on the same aspect still fails.
/// </summary>
internal sealed record DifferenceShape(string Description, Func<IReadOnlyList<string>, IReadOnlyList<string>, bool> Holds);

/// <summary>A justified, expected difference from kompose. "*" matches any fixture or service.</summary>
internal sealed record KomposeDisagreement(string Case, string Service, string Aspect, string Justification, DifferenceShape? Shape = null)
{
    public bool IsGeneric => Case == "*" || Service == "*";

    public bool Matches(Disagreement d)
        => (Case == "*" || Case == d.Case) && (Service == "*" || Service == d.Service) && Aspect == d.Aspect
           && (Shape is null || Shape.Holds(d.Kompose, d.Berth));

    public override string ToString() => $"[{Case}] {Service} {Aspect}{(Shape is null ? string.Empty : " (" + Shape.Description + ")")}: {Justification}";
}

/// <summary>
/// Every way Berth's output means something different from kompose's on kompose's fixtures, and why. Systematic design
/// differences are generic entries restricted by an exact <see cref="DifferenceShape"/>; one-off ones name their fixture.
/// </summary>
internal static class KomposeDisagreements
{
    private const string BerthDefaultSize = "size=1073741824";
    private const string KomposeDefaultSize = "size=104857600";

    public static readonly KomposeDisagreement[] All =
    [
        // ---- Services -------------------------------------------------------------------------------------------
        new("*", "*", "service.type",
            "Published ports are published outside the cluster, as Swarm's routing mesh / Compose's host ports do: Berth adds a " +
            "`<name>-published` LoadBalancer Service (NodePort with `--service-type NodePort`). kompose gives them only a ClusterIP " +
            "Service, reachable from inside the cluster. Berth's `<name>` ClusterIP Service is the same as kompose's.",
            Exactly("ClusterIP", "ClusterIP|LoadBalancer")),
        new("*", "*", "service.type",
            "`kompose.service.type: loadbalancer`: both make the LoadBalancer; Berth keeps the `<name>` ClusterIP Service too, so other " +
            "services reach the container ports by name inside the cluster (Compose semantics) whatever way it is published.",
            Exactly("LoadBalancer", "ClusterIP|LoadBalancer")),
        new("*", "*", "service.type",
            "A service without ports: kompose emits no Service (and warns), so its name does not resolve; in Compose every service " +
            "name resolves on the network, so Berth emits a headless Service (DNS → pod IPs, any port).",
            Exactly(string.Empty, "Headless")),
        new("change-in-volume", "web", "service.type",
            "A service owning a named volume is a StatefulSet in Berth (claim template, see storage decision), which needs a governing " +
            "headless Service `<name>-headless`; plus the LoadBalancer for the published port 5000 (first entry).",
            Exactly("ClusterIP", "ClusterIP|Headless|LoadBalancer")),
        new("*", "*", "service.ports",
            "Inside the network Compose services reach each other on the container (target) port, so Berth's `<name>` ClusterIP " +
            "Service maps target→target; published→target is on the `<name>-published` Service. kompose puts published→target on its " +
            "ClusterIP, so `svc:published` works in the cluster but `svc:target` (what the Compose app uses) does not.",
            new DifferenceShape("Berth = kompose + target→target for every published→target", ClusterIpOnTargets)),
        new("*", "*", "service.ports",
            "A headless Service for a service without ports (asked for by `kompose.service.type: headless`, or made for every portless " +
            "service in kompose's older stored output volume-mounts-volumes-from-case): kompose invents port 55555 with targetPort 0; " +
            "Berth's headless Service has no ports, which Kubernetes accepts and DNS still resolves. Both agree it is headless.",
            Exactly("55555->0/TCP", string.Empty)),
        new("host-port-protocol", "nginx", "hostPort",
            "`mode: host` means the port is bound on the node that runs the task: Berth sets hostPort 80 (and also lists 80 on the " +
            "ClusterIP Service, which both agree on). kompose ignores `mode` and only sets hostPort with `kompose.controller.port.expose`; " +
            "the fixture's label `kompose.container.kompose.controller.port.expose` is not that label.",
            Exactly(string.Empty, "80->80/TCP")),

        // ---- Workload kind for restart "no" and kompose.cronjob.* -------------------------------------------------------
        new("v2", "foo", "workload",
            "`restart: \"no\"`: kompose emits a bare Pod (restartPolicy Never), which nothing reschedules after node loss or updates in " +
            "place. Berth keeps a Deployment and reports `restart` as approximated (BK001: pods of a Deployment always restart; use " +
            "`deploy.mode: replicated-job` for run-to-completion tasks, which becomes a Job).",
            Exactly("Pod", "controller")),
        new("v2", "foo", "pod",
            "Follows from the workload choice above: a Deployment's pods must use restartPolicy Always (reported as approximated).",
            Exactly("restartPolicy=Never|terminationGracePeriodSeconds=30", "restartPolicy=Always|terminationGracePeriodSeconds=30")),
        new("v2", "foo", "replicas",
            "Follows from the workload choice above: a bare Pod has no replica count; Berth's Deployment has the Compose default 1.",
            Exactly(string.Empty, "1")),
        new("cronjob", "challenge", "workload",
            "`kompose.cronjob.schedule|concurrency_policy|backoff_limit` are not supported by Berth yet (reported BK002 at each label, " +
            "listed under \"Not done yet\" in kubernetes-conversion.md); with `restart: \"no\"` the service stays a Deployment as above.",
            Exactly("CronJob", "controller")),
        new("cronjob", "challenge", "pod",
            "Follows from the workload above (Deployment pods restart Always; kompose's CronJob pods Never).",
            Exactly("restartPolicy=Never|terminationGracePeriodSeconds=30", "restartPolicy=Always|terminationGracePeriodSeconds=30")),
        new("cronjob", "challenge", "replicas",
            "Follows from the workload above: a CronJob has no replica count.",
            Exactly(string.Empty, "1")),

        // ---- Volumes ------------------------------------------------------------------------------------------------------
        new("*", "*", "volumes",
            "Default claim size: Berth requests 1Gi, kompose 100Mi. compose-on-kubernetes' small fixed size broke on clouds with a 1 GB " +
            "minimum volume (kubernetes-conversion.md, storage decision); set `kompose.volume.size` or `x-kubernetes.size` to choose. " +
            "Everything else about the claim (access mode, class, subPath, mount path) agrees.",
            Volumes("only the default size differs", VolumeRule.DefaultSize)),
        new("*", "*", "volumes",
            "Bind mounts: kompose copies an existing host file or directory into a ConfigMap at convert time (a snapshot, 1 MiB max, " +
            "read-only) and turns a missing one into a PVC. Berth keeps the Compose meaning — the live host path — as a hostPath volume " +
            "and warns (BK001) that the path is read on the node running the pod; files meant to ship with the app belong in `configs:`, " +
            "which both tools turn into ConfigMaps.",
            Volumes("each Berth hostPath covers kompose's ConfigMap files or PVC at that path; the rest agrees", VolumeRule.BindAsHostPath, VolumeRule.DefaultSize)),
        new("*", "*", "volumes",
            "Anonymous volumes (`- /path`): Berth mounts an emptyDir, which lives as long as the pod as an anonymous volume lives as long " +
            "as its container (Swarm gives every task a fresh one). kompose makes a 100Mi PVC per anonymous volume (`<svc>-claimN`), " +
            "storage the Compose file never named. Service-level `kompose.volume.size/storage-class-name` apply to Berth's claims " +
            "(named volumes), not to scratch space.",
            Volumes("kompose PVC vs Berth emptyDir at the same anonymous path; the rest agrees", VolumeRule.AnonymousAsEmptyDir, VolumeRule.BindAsHostPath, VolumeRule.DefaultSize)),
        new("volume-mounts-volumes-from-case", "*", "volumes",
            "`volumes_from` of services whose volumes are all anonymous: kompose shares its per-volume PVCs between the pods; an " +
            "anonymous volume belongs to one container, and an emptyDir to one pod, so Berth cannot share it and reports each one " +
            "(BK002 at `volumes_from`, naming the target and suggesting a named volume) — named volumes and bind mounts are shared, " +
            "transitively as Docker does. Own anonymous volumes: emptyDir as above.",
            Volumes("Berth lacks only kompose's volumes_from claims; own anonymous volumes emptyDir", VolumeRule.AnonymousAsEmptyDir, VolumeRule.KomposeOnlyClaims)),
        new("configmap-file-configs-3", "busy", "volumes",
            "Bind mount `/tmp:/tmp:ro`: kompose drops it (it neither snapshots a directory like /tmp nor warns); Berth mounts the host's " +
            "/tmp read-only as hostPath, as Compose does, with the hostPath warning.",
            Exactly(string.Empty, "/tmp: hostPath /tmp ro")),
        new("change-in-volume", "web", "volumes",
            "kompose's stored output for this fixture has a volume `code-volume` with no source at all (an invalid pod spec left from the " +
            "test of a removed `--volumes` mode); Berth mounts the named volume `code_volume` from its StatefulSet claim template.",
            Exactly("/code: ", "/code: claim size=1073741824 modes=ReadWriteOnce")),
        new("secrets-long", "redis", "volumes",
            "Secret target `redis_secret` (relative): the Compose specification mounts it at `/run/secrets/redis_secret`, which Berth " +
            "does. kompose without `--secrets-as-files` uses its legacy path `/run/secrets/<source>/<target>`. Same content.",
            Exactly("/run/secrets/my_secret/redis_secret: secret file \"For the Watch!\"", "/run/secrets/redis_secret: secret file \"For the Watch!\"")),
        new("secrets-short", "redis", "volumes",
            "Short syntax `- my_secret` is mounted at `/run/secrets/my_secret` by the Compose specification (Berth); kompose's legacy path " +
            "adds a directory level. The external `my_other_secret` is referenced, not created, by both: kompose mounts all its keys as a " +
            "directory, Berth mounts its key `file` (compose-on-kubernetes' convention for external secrets, `x-kubernetes.key` to change) " +
            "as the file `/run/secrets/my_other_secret`, which is what the Compose file means. (Berth also reports BK102: `my_other_secret` " +
            "cannot name a Kubernetes Secret, so the reference can never resolve; kompose emits it silently.)",
            Exactly(
                "/run/secrets/my_other_secret/my_other_secret: secret my_other_secret key my_other_secret (not in output)|/run/secrets/my_secret/my_secret: secret file \"For the Watch!\"",
                "/run/secrets/my_other_secret: secret my_other_secret key file (not in output)|/run/secrets/my_secret: secret file \"For the Watch!\"")),

        // ---- Placement --------------------------------------------------------------------------------------------------
        new("deploy-placement", "redis", "placement",
            "`engine.labels.operatingsystem == ubuntu 14.04`: kompose turns it into `kubernetes.io/os In [ubuntu 14.04]`, which no node " +
            "ever carries (the label is linux/windows), so the pod could never schedule. Berth reports engine labels as unsupported " +
            "(BK002) and keeps the constraints it can express; both agree on those.",
            Exactly(
                "foo NotIn [\"bar\"] && kubernetes.io/hostname In [\"machine\"] && kubernetes.io/os In [\"ubuntu 14.04\"]",
                "foo NotIn [\"bar\"] && kubernetes.io/hostname In [\"machine\"]")),

        // ---- Outputs produced with non-default kompose modes --------------------------------------------------------------
        new("service-group", "*", "(service)",
            "kompose's stored output was produced with `--service-group-mode volume`, which merges services sharing a bind-mounted " +
            "volume into one pod `librenms-dispatcher`; Berth has no such mode (each Compose service is its own workload, as in " +
            "Compose and Swarm).",
            new DifferenceShape("services librenms and dispatcher vs kompose's merged librenms-dispatcher", (k, b) =>
                (k.Count == 0 && b.SequenceEqual(["present"])) || (k.SequenceEqual(["present"]) && b.Count == 0))),
        new("network-mode-service", "server", "(service)",
            "`network_mode: service:client`: kompose merges `server`'s container into `client`'s pod. Berth does not support sharing " +
            "another service's network namespace yet and reports `network_mode` as unsupported (BK002); `server` stays its own " +
            "Deployment (kubernetes-conversion.md, \"Not done yet\").",
            Exactly(string.Empty, "present")),
        new("network-mode-service", "client", "args",
            "Same cause: kompose's `client` pod holds both containers (threats-client, threats-server); the command agrees.",
            Exactly("threats-client:[\"sleep\",\"infinity\"]|threats-server:[\"sleep\",\"infinity\"]", "[\"sleep\",\"infinity\"]")),
        new("network-mode-service", "client", "image",
            "Same cause: two containers in kompose's pod; the image agrees.",
            Exactly("threats-client:busybox|threats-server:busybox", "busybox")),
        new("network-mode-service", "client", "imagePullPolicy",
            "Same cause: two containers in kompose's pod; the pull policy agrees.",
            Exactly("threats-client:Always|threats-server:Always", "Always")),

        // ---- Inputs Berth's loader rejects --------------------------------------------------------------------------------
        new("*", "*", "(load)",
            "kompose (compose-go without consistency checks) converts a service mounting a named volume that the file never declares; " +
            "the Compose specification requires named volumes to be declared under top-level `volumes`, and Berth's loader rejects the file (BC401) " +
            "instead of guessing a PVC for a typo.",
            new DifferenceShape("load error BC401 (undeclared volume)", (k, b) => k.SequenceEqual(["converted"]) && b.Count > 0 && b.All(e => e.StartsWith("BC401 ", StringComparison.Ordinal)))),
    ];

    public static KomposeDisagreement? Find(Disagreement d) => All.FirstOrDefault(e => e.Matches(d));

    /// <summary>Exactly these fact sets ("|"-separated; empty = no fact).</summary>
    private static DifferenceShape Exactly(string kompose, string berth)
    {
        var k = Split(kompose);
        var b = Split(berth);
        return new DifferenceShape($"kompose `{kompose}` vs Berth `{berth}`", (kv, bv) => kv.Order(StringComparer.Ordinal).SequenceEqual(k) && bv.Order(StringComparer.Ordinal).SequenceEqual(b));
    }

    private static string[] Split(string facts) => facts.Length == 0 ? [] : [.. facts.Split('|').Order(StringComparer.Ordinal)];

    /// <summary>Berth has every kompose port plus, for each published→target one, target→target (and nothing else).</summary>
    private static bool ClusterIpOnTargets(IReadOnlyList<string> kompose, IReadOnlyList<string> berth)
    {
        if (!kompose.All(berth.Contains))
        {
            return false;
        }

        var targets = kompose.Select(Port).Where(p => p is not null).Select(p => $"{p!.Value.Target}->{p.Value.Target}/{p.Value.Protocol}").ToHashSet(StringComparer.Ordinal);
        var extra = berth.Except(kompose, StringComparer.Ordinal).ToList();
        return extra.Count > 0 && extra.All(targets.Contains);
    }

    private static (string Port, string Target, string Protocol)? Port(string fact)
    {
        var arrow = fact.IndexOf("->", StringComparison.Ordinal);
        var slash = fact.LastIndexOf('/');
        return arrow < 0 || slash < arrow ? null : (fact[..arrow], fact[(arrow + 2)..slash], fact[(slash + 1)..]);
    }

    internal enum VolumeRule
    {
        /// <summary>Berth's 1Gi default claim size where kompose has its 100Mi default.</summary>
        DefaultSize,

        /// <summary>A Berth hostPath at P stands for kompose's ConfigMap files at or under P, or kompose's PVC at P; it must stand for something.</summary>
        BindAsHostPath,

        /// <summary>A Berth emptyDir (not memory) at P where kompose has a PVC at P.</summary>
        AnonymousAsEmptyDir,

        /// <summary>kompose PVC mounts at paths where Berth mounts nothing (volumes_from of anonymous volumes).</summary>
        KomposeOnlyClaims,
    }

    /// <summary>After removing what the rules explain, both sides are equal; at least one rule must have explained something.</summary>
    private static DifferenceShape Volumes(string description, params VolumeRule[] rules)
        => new(description, (kompose, berth) => ExplainVolumes(kompose, berth, rules));

    private static bool ExplainVolumes(IReadOnlyList<string> kompose, IReadOnlyList<string> berth, VolumeRule[] rules)
    {
        var k = kompose.Select(Mount).ToList();
        var b = berth.Select(Mount).ToList();
        foreach (var rule in rules)
        {
            switch (rule)
            {
                case VolumeRule.DefaultSize:
                    b = [.. b.Select(m => m.What.StartsWith("claim ", StringComparison.Ordinal) ? m with { What = m.What.Replace(BerthDefaultSize, KomposeDefaultSize, StringComparison.Ordinal) } : m)];
                    break;
                case VolumeRule.BindAsHostPath:
                    foreach (var host in b.Where(m => m.What.StartsWith("hostPath ", StringComparison.Ordinal)).ToList())
                    {
                        var covered = k.Where(m => (m.What.StartsWith("configMap file ", StringComparison.Ordinal) && (m.Path == host.Path || m.Path.StartsWith(host.Path.TrimEnd('/') + "/", StringComparison.Ordinal)))
                                                   || (m.What.StartsWith("claim ", StringComparison.Ordinal) && m.Path == host.Path)).ToList();
                        if (covered.Count == 0)
                        {
                            return false;
                        }

                        k = [.. k.Except(covered)];
                        b.Remove(host);
                    }

                    break;
                case VolumeRule.AnonymousAsEmptyDir:
                    foreach (var empty in b.Where(m => m.What == "emptyDir").ToList())
                    {
                        var claim = k.FirstOrDefault(m => m.Path == empty.Path && m.What.StartsWith("claim ", StringComparison.Ordinal));
                        if (claim is null)
                        {
                            return false;
                        }

                        k.Remove(claim);
                        b.Remove(empty);
                    }

                    break;
                case VolumeRule.KomposeOnlyClaims:
                    k = [.. k.Where(m => !(m.What.StartsWith("claim ", StringComparison.Ordinal) && b.All(x => x.Path != m.Path)))];
                    break;
            }
        }

        return k.Select(m => m.ToString()).Order(StringComparer.Ordinal).SequenceEqual(b.Select(m => m.ToString()).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static MountFact Mount(string fact)
    {
        var colon = fact.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? new MountFact(fact, string.Empty) : new MountFact(fact[..colon], fact[(colon + 2)..]);
    }

    private sealed record MountFact(string Path, string What)
    {
        public override string ToString() => $"{Path}: {What}";
    }
}
