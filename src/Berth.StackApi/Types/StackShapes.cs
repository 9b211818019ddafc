using System.Collections.Immutable;

namespace Berth.StackApi.Types;

/// <summary>The JSON scalar kinds of the Go types (time.Duration is an int64 count of nanoseconds).</summary>
internal enum ScalarType
{
    String,
    Bool,
    Int32,
    Int64,
    UInt32,
    UInt64,
    Duration,
}

/// <summary>
/// How encoding/json writes a struct field. Go's <c>omitempty</c> drops "", 0, false, nil and empty slices/maps
/// but never a struct value; a pointer with omitempty is dropped only when nil; a field without a tag is always
/// written (a nil pointer or map as null).
/// </summary>
internal enum Emit
{
    /// <summary>omitempty on a string, bool, number, slice or map.</summary>
    OmitEmpty,

    /// <summary>omitempty on a pointer: absent/null omitted, any present value (even 0) written.</summary>
    Pointer,

    /// <summary>A struct value (omitempty has no effect) or a scalar without omitempty: always written.</summary>
    Always,

    /// <summary>A pointer or map without omitempty: written as null when nil.</summary>
    Nullable,
}

internal abstract record Shape(string Description);

internal sealed record ScalarShape(ScalarType Type, string Description) : Shape(Description);

internal sealed record ArrayShape(Shape Items, string Description) : Shape(Description);

/// <summary>A Go map with string keys; <paramref name="NullableValues"/> for map[string]*string.</summary>
internal sealed record MapShape(Shape Values, bool NullableValues, string Description) : Shape(Description);

internal sealed record ObjectShape(ImmutableArray<FieldShape> Fields, string Description) : Shape(Description)
{
    public FieldShape? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>One struct field: JSON name, shape, how Go writes it, and whether only v1alpha3 has it.</summary>
internal sealed record FieldShape(string Name, Shape Shape, Emit Emit, bool AlphaOnly = false);

/// <summary>
/// compose-on-kubernetes's Stack types, field by field in struct order, from api/compose/v1alpha3/stack.go
/// (v1beta2/stack.go is the same without the fields marked AlphaOnly; v1beta1/stack.go has only composeFile).
/// Used to decode, encode, redact and describe (OpenAPI) the stack, so the four cannot drift apart.
/// </summary>
internal static class StackShapes
{
    private static ScalarShape Str(string d) => new(ScalarType.String, d);

    private static ScalarShape Bool(string d) => new(ScalarType.Bool, d);

    private static ArrayShape Strings(string d) => new(new ScalarShape(ScalarType.String, string.Empty), d);

    private static MapShape StringMap(string d) => new(new ScalarShape(ScalarType.String, string.Empty), false, d);

    private static FieldShape F(string name, Shape shape, Emit emit = Emit.OmitEmpty, bool alpha = false) => new(name, shape, emit, alpha);

    public static ObjectShape Constraint { get; } = new(
    [
        F("Value", Str("The value the node attribute is compared with."), Emit.Always),
        F("Operator", Str("The comparison: == or != (also > and < for direct API clients)."), Emit.Always),
    ], "A placement constraint on one node attribute.");

    // Constraints has no JSON tags in Go: capitalised keys, nil pointers and maps written as null.
    public static ObjectShape Constraints { get; } = new(
    [
        F("OperatingSystem", Constraint with { Description = "Constraint on node.platform.os." }, Emit.Nullable),
        F("Architecture", Constraint with { Description = "Constraint on node.platform.arch." }, Emit.Nullable),
        F("Hostname", Constraint with { Description = "Constraint on node.hostname." }, Emit.Nullable),
        F("MatchLabels", new MapShape(Constraint, false, "Constraints on node labels (node.labels.KEY), by label key."), Emit.Nullable),
    ], "Placement constraints, parsed from Swarm's node.* expressions.");

    private static ObjectShape Resource(string d) => new(
    [
        F("cpus", Str("CPUs as a decimal string (\"0.5\").")),
        F("memory", new ScalarShape(ScalarType.Int64, "Memory in bytes.")),
    ], d);

    public static ObjectShape Deploy { get; } = new(
    [
        F("mode", Str("replicated (default) or global.")),
        F("replicas", new ScalarShape(ScalarType.UInt64, "Number of replicas of a replicated service (default 1)."), Emit.Pointer),
        F("labels", StringMap("Labels of the service's workloads, Services and pods.")),
        F("update_config", new ObjectShape(
            [F("paralellism", new ScalarShape(ScalarType.UInt64, "How many replicas are updated at once (the key is misspelt as in compose-on-kubernetes)."), Emit.Pointer)],
            "How the service is updated."), Emit.Pointer),
        F("resources", new ObjectShape(
            [
                F("limits", Resource("Resource limits."), Emit.Pointer),
                F("reservations", Resource("Resource requests."), Emit.Pointer),
            ], "Resource limits and reservations."), Emit.Always),
        F("restart_policy", new ObjectShape([F("condition", Str("any, none or on-failure."))], "When containers are restarted."), Emit.Pointer),
        F("placement", new ObjectShape([F("constraints", Constraints, Emit.Pointer)], "Where the service's pods may run."), Emit.Always),
    ], "Deployment settings: mode, replicas, labels, update, resources, restart policy, placement.");

    private static ObjectShape FileReference(string d) => new(
    [
        F("source", Str("Name of the stack-level secret or config.")),
        F("target", Str("Where it is mounted in the container.")),
        F("uid", Str("Owner user id of the mounted file.")),
        F("gid", Str("Owner group id of the mounted file.")),
        F("mode", new ScalarShape(ScalarType.UInt32, "File mode (decimal)."), Emit.Pointer),
    ], d);

    public static ObjectShape Service { get; } = new(
    [
        F("name", Str("Service name: a DNS-1035 label (lower-case letters, digits, '-', starting with a letter).")),
        F("cap_add", Strings("Linux capabilities added to the container.")),
        F("cap_drop", Strings("Linux capabilities dropped from the container.")),
        F("command", Strings("The container's arguments (overrides the image's CMD).")),
        F("configs", new ArrayShape(FileReference("A config mounted in the service."), "Configs mounted in the service.")),
        F("deploy", Deploy, Emit.Always),
        F("entrypoint", Strings("The container's command (overrides the image's ENTRYPOINT).")),
        F("environment", new MapShape(new ScalarShape(ScalarType.String, string.Empty), true, "Environment variables; a null value means the variable has no value."), Emit.OmitEmpty),
        F("extra_hosts", Strings("Extra /etc/hosts entries as host:ip.")),
        F("hostname", Str("The container's host name.")),
        F("health_check", new ObjectShape(
            [
                F("test", Strings("The check: [\"CMD\", args…], [\"CMD-SHELL\", command] or [\"NONE\"].")),
                F("timeout", new ScalarShape(ScalarType.Duration, "Timeout of one check, in nanoseconds."), Emit.Pointer),
                F("interval", new ScalarShape(ScalarType.Duration, "Time between checks, in nanoseconds."), Emit.Pointer),
                F("retries", new ScalarShape(ScalarType.UInt64, "Failures before the container is unhealthy."), Emit.Pointer),
            ], "The container's health check."), Emit.Pointer),
        F("image", Str("The container image.")),
        F("ipc", Str("IPC mode (host shares the node's IPC namespace).")),
        F("labels", StringMap("Labels of the container (pod annotations).")),
        F("pid", Str("PID mode (host shares the node's PID namespace).")),
        F("ports", new ArrayShape(new ObjectShape(
            [
                F("mode", Str("ingress or host.")),
                F("target", new ScalarShape(ScalarType.UInt32, "Container port.")),
                F("published", new ScalarShape(ScalarType.UInt32, "Published port (0: none)."),
                    Emit.OmitEmpty),
                F("protocol", Str("tcp or udp.")),
            ], "A port of the service."), "Ports of the service.")),
        F("privileged", Bool("Run the container privileged.")),
        F("read_only", Bool("Mount the container's root file system read-only.")),
        F("secrets", new ArrayShape(FileReference("A secret mounted in the service."), "Secrets mounted in the service.")),
        F("stdin_open", Bool("Keep standard input open.")),
        F("stop_grace_period", new ScalarShape(ScalarType.Duration, "Time to wait before killing the container, in nanoseconds."), Emit.Pointer),
        F("tmpfs", Strings("tmpfs mounts (container paths).")),
        F("tty", Bool("Allocate a terminal.")),
        F("user", new ScalarShape(ScalarType.Int64, "Numeric user id the container runs as."), Emit.Pointer),
        F("volumes", new ArrayShape(new ObjectShape(
            [
                F("type", Str("volume, bind or tmpfs.")),
                F("source", Str("Volume name or host path.")),
                F("target", Str("Container path.")),
                F("read_only", Bool("Mount read-only.")),
            ], "A volume mount of the service."), "Volume mounts of the service.")),
        F("working_dir", Str("The container's working directory.")),
        F("pull_secret", Str("Name of the image pull secret (v1alpha3)."), Emit.OmitEmpty, alpha: true),
        F("pull_policy", Str("Image pull policy: Always, IfNotPresent or Never (v1alpha3)."), Emit.OmitEmpty, alpha: true),
        F("internal_ports", new ArrayShape(new ObjectShape(
            [
                F("port", new ScalarShape(ScalarType.Int32, "Port number.")),
                F("protocol", Str("TCP, UDP or SCTP.")),
            ], "A port exposed to the other services of the stack."), "Ports exposed to the other services of the stack (v1alpha3)."), Emit.OmitEmpty, alpha: true),
        F("internal_service_type", Str("Service type for traffic inside the stack: empty (Auto), Headless or ClusterIP (v1alpha3)."), Emit.OmitEmpty, alpha: true),
    ], "A service of the stack, as in a Compose file.");

    private static ObjectShape FileObject(string d) => new(
    [
        F("name", Str("Name of the object in the cluster.")),
        F("file", Str("File the client created the object from.")),
        F("external", new ObjectShape(
            [
                F("name", Str("Name of the external object.")),
                F("external", Bool("The object exists outside the stack.")),
            ], "Whether the object is external."), Emit.Always),
        F("labels", StringMap("Labels of the object.")),
    ], d);

    public static ObjectShape StackSpec { get; } = new(
    [
        F("services", new ArrayShape(Service, "The services of the stack.")),
        F("secrets", new MapShape(FileObject("A secret of the stack."), false, "The secrets of the stack, by name.")),
        F("configs", new MapShape(FileObject("A config of the stack."), false, "The configs of the stack, by name.")),
    ], "The stack's services, secrets and configs, as in a Compose file.");

    public static ObjectShape Status { get; } = new(
    [
        F("phase", Str("Available, Progressing, Failure or ReconciliationPending.")),
        F("message", Str("Details of the phase.")),
        // Berth's additions (compose-on-kubernetes issue #66), written by berth-controller.
        F("observedGeneration", new ScalarShape(ScalarType.Int64, "The metadata.generation the controller last reconciled.")),
        F("conditions", new ArrayShape(new ObjectShape(
            [
                F("type", Str("Ready, Progressing or Failed.")),
                F("status", Str("True, False or Unknown.")),
                F("reason", Str("One word, CamelCase: why.")),
                F("message", Str("Details, for people.")),
                F("lastTransitionTime", Str("When the status last changed (RFC 3339).")),
            ], "One condition of the stack."), "The stack's conditions, as Kubernetes objects carry them.")),
        F("services", new MapShape(ServiceStatus, false, "Each service's workload and pods, by service name.")),
    ], "The stack's reconciliation status.");

    // Counts are always written (0 included) so that the controller's status compares equal to the stored one.
    private static ObjectShape ServiceStatus => new(
    [
        F("kind", Str("The workload: Deployment, StatefulSet, DaemonSet or Job."), Emit.Always),
        F("desired", Count("Replicas wanted (a DaemonSet: nodes to run on; a Job: completions)."), Emit.Always),
        F("updated", Count("Replicas running the current template (a Job: completions so far)."), Emit.Always),
        F("ready", Count("Replicas ready (a Job: completions so far)."), Emit.Always),
        F("available", Count("Replicas ready for at least minReadySeconds (a Job: completions so far)."), Emit.Always),
        F("problems", new ArrayShape(new ObjectShape(
            [
                F("pod", Str("The pod's name."), Emit.Always),
                F("reason", Str("Why it does not run or is not ready: CrashLoopBackOff, ImagePullBackOff, OOMKilled, Unschedulable or Unhealthy."), Emit.Always),
                F("message", Str("The cluster's own words about it.")),
            ], "A pod of the service that does not run or is not ready."), "The service's failing pods, one problem each.")),
    ], "A service's workload and the problems of its pods.");

    private static ScalarShape Count(string d) => new(ScalarType.Int32, d);

    public static ObjectShape V1Beta1Spec { get; } = new(
    [
        F("composeFile", Str("The stack as the text of a Compose file.")),
    ], "The stack as a Compose file.");

    /// <summary>The shape of a service at a version (v1beta2 drops the v1alpha3-only fields).</summary>
    public static ObjectShape SpecFor(string version) => version == StackApiGroup.V1Alpha3 ? StackSpec : V1Beta2Spec;

    private static ObjectShape V1Beta2Spec => LazyV1Beta2.Value;

    private static readonly Lazy<ObjectShape> LazyV1Beta2 = new(() => WithoutAlpha(StackSpec));

    private static ObjectShape WithoutAlpha(ObjectShape shape) => shape with
    {
        Fields = [.. shape.Fields.Where(f => !f.AlphaOnly).Select(f => f with { Shape = WithoutAlpha(f.Shape) })],
    };

    private static Shape WithoutAlpha(Shape shape) => shape switch
    {
        ObjectShape o => WithoutAlpha(o),
        ArrayShape a => a with { Items = WithoutAlpha(a.Items) },
        MapShape m => m with { Values = WithoutAlpha(m.Values) },
        _ => shape,
    };
}
