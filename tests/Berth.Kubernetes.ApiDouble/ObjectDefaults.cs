using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// The few server-side defaults Berth can observe: Secret stringData folded into data and type Opaque; Service
/// type, clusterIP (kept across updates), port protocol/targetPort and nodePorts; workload replicas 1.
/// Everything else the real server defaults is left out (see README).
/// </summary>
internal sealed class ObjectDefaults
{
    private int _clusterIps;
    private int _nodePorts;

    public void Apply(ResourceType type, JsonObject obj, JsonObject? existing)
    {
        switch (type.Kind)
        {
            case "Secret":
                DefaultSecret(obj);
                break;
            case "Service":
                DefaultService(obj, existing);
                break;
            case "Deployment" or "StatefulSet" or "ReplicaSet":
                if (obj["spec"] is JsonObject spec && spec["replicas"] is null)
                {
                    spec["replicas"] = 1;
                }

                break;
            default:
                break;
        }
    }

    private static void DefaultSecret(JsonObject secret)
    {
        secret["type"] ??= "Opaque";
        if (secret["stringData"] is not JsonObject stringData)
        {
            secret.Remove("stringData");
            return;
        }

        if (secret["data"] is not JsonObject data)
        {
            data = new JsonObject();
            secret["data"] = data;
        }

        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.ToString() ?? ""));
        }

        secret.Remove("stringData");
    }

    private void DefaultService(JsonObject service, JsonObject? existing)
    {
        if (service["spec"] is not JsonObject spec)
        {
            return;
        }

        var type = spec["type"]?.ToString() ?? "ClusterIP";
        spec["type"] = type;
        var oldSpec = existing?["spec"];
        if (type == "ExternalName")
        {
            // dropTypeDependentFields: addresses the client left over from the old type go with it.
            if (oldSpec is not null && spec["clusterIP"]?.ToString() == oldSpec["clusterIP"]?.ToString())
            {
                foreach (var field in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy" })
                {
                    spec.Remove(field);
                }
            }

            return;
        }

        // The service REST layer (pkg/registry/core/service/storage: patchAllocatedValues, normalizeClusterIPs):
        // an omitted address keeps the allocated one; a changed clusterIP with untouched clusterIPs moves both.
        var clusterIp = spec["clusterIP"]?.ToString();
        var oldClusterIp = oldSpec?["clusterIP"]?.ToString();
        if (string.IsNullOrEmpty(clusterIp))
        {
            clusterIp = oldClusterIp;
            if (string.IsNullOrEmpty(clusterIp))
            {
                _clusterIps++;
                clusterIp = $"10.96.{_clusterIps / 250}.{(_clusterIps % 250) + 2}";
            }

            spec["clusterIP"] = clusterIp;
        }
        else if (!string.IsNullOrEmpty(oldClusterIp) && clusterIp != oldClusterIp && JsonNode.DeepEquals(spec["clusterIPs"], oldSpec?["clusterIPs"]))
        {
            spec["clusterIPs"] = new JsonArray(clusterIp);
        }

        if (spec["clusterIPs"] is not JsonArray { Count: > 0 })
        {
            spec["clusterIPs"] = oldSpec?["clusterIPs"] is JsonArray { Count: > 0 } oldIps && clusterIp == oldClusterIp
                ? oldIps.DeepClone()
                : new JsonArray(clusterIp);
        }
        spec["sessionAffinity"] ??= "None";
        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
        spec["internalTrafficPolicy"] ??= "Cluster";
        var existingPorts = (existing?["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var port in (spec["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
            if (type is "NodePort" or "LoadBalancer" && port["nodePort"] is null)
            {
                var same = existingPorts.FirstOrDefault(p => p["port"]?.ToJsonString() == port["port"]?.ToJsonString() && p["nodePort"] is not null);
                port["nodePort"] = same is not null
                    ? int.Parse(same["nodePort"]!.ToJsonString(), CultureInfo.InvariantCulture)
                    : 30000 + (_nodePorts++ % 2768);
            }
        }
    }
}
