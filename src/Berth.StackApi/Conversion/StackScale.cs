using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.StackApi.Types;

namespace Berth.StackApi;

/// <summary>
/// The scale subresource's spec: replicas by service (internal/registry/scale.go: default 1, a global service −1).
/// </summary>
public static class StackScale
{
    public static IReadOnlyDictionary<string, int> GetReplicas(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var result = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (StackConversions.StructuredSpec(stored) is not { } spec)
        {
            return result;
        }

        foreach (var service in StackConversions.Services(spec))
        {
            var name = service["name"]?.GetValue<string>() ?? string.Empty;
            var deploy = service["deploy"];
            if (deploy?["mode"]?.GetValue<string>() == "global")
            {
                result[name] = -1;
            }
            else if (deploy?["replicas"] is JsonValue replicas && GoJson.TryInt64(replicas, out var n))
            {
                result[name] = (int)Math.Min(n, int.MaxValue);
            }
            else
            {
                result[name] = 1;
            }
        }

        return result;
    }

    /// <summary>
    /// The scale's status: ready replicas by service, from the per-service status berth-controller writes
    /// (status.services.*.ready); empty until it has written one.
    /// </summary>
    public static JsonObject GetReadyReplicas(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var ready = new JsonObject();
        foreach (var (service, status) in stored["status"]?["services"] as JsonObject ?? [])
        {
            if (status?["ready"] is JsonValue value && GoJson.TryInt64(value, out var n))
            {
                ready[service] = n;
            }
        }

        return ready;
    }

    /// <summary>Sets deploy.replicas of each named service; an unknown service or a negative count is an error and nothing changes.</summary>
    public static ImmutableArray<FieldError> SetReplicas(JsonObject stored, IReadOnlyDictionary<string, int> replicas)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(replicas);
        var spec = stored["spec"]?[StackCodec.StackKey] as JsonObject;
        var services = spec is null ? [] : StackConversions.Services(spec).ToList();
        var errors = ImmutableArray.CreateBuilder<FieldError>();
        foreach (var (name, count) in replicas.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var service = services.FirstOrDefault(s => s["name"]?.GetValue<string>() == name);
            if (service is null)
            {
                errors.Add(new FieldError(FieldErrorTypes.NotFound, $"spec[{name}]", $"Not found: \"{name}\""));
            }
            else if (count < 0)
            {
                errors.Add(new FieldError(FieldErrorTypes.Invalid, $"spec[{name}]", $"Invalid value: {count}: must be greater than or equal to 0"));
            }
            else if (service["deploy"]?["mode"]?.GetValue<string>() == "global")
            {
                errors.Add(new FieldError(FieldErrorTypes.Forbidden, $"spec[{name}]", "Forbidden: a global service runs one replica per node and cannot be scaled"));
            }
        }

        if (errors.Count > 0)
        {
            return errors.ToImmutable();
        }

        foreach (var (name, count) in replicas)
        {
            var service = services.First(s => s["name"]?.GetValue<string>() == name);
            if (service["deploy"] is not JsonObject deploy)
            {
                deploy = new GoJson().Object(StackShapes.Deploy, null, "deploy");
                service["deploy"] = deploy;
            }

            SetReplicasField(deploy, count);
        }

        // The text no longer describes the stack: reads in v1beta1 generate it from the structure.
        (stored["spec"] as JsonObject)?.Remove(StackCodec.ComposeFileKey);
        return [];
    }

    private static void SetReplicasField(JsonObject deploy, int count)
    {
        if (deploy.ContainsKey("replicas"))
        {
            deploy["replicas"] = count;
            return;
        }

        // Go's field order: mode, replicas, …
        deploy.Insert(deploy.ContainsKey("mode") ? 1 : 0, "replicas", JsonValue.Create((long)count));
    }
}
