using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>
/// Size, storage class and access mode of a claim, from (first wins) the top-level volume's <c>x-kubernetes</c>,
/// its <c>driver_opts</c>, its kompose labels, then the service's kompose labels. The default size is 1Gi:
/// compose-on-kubernetes' fixed 100Mi was below the minimum of several clouds (issues #57, #10).
/// </summary>
internal sealed record ClaimSettings(string Size, string? StorageClass, string AccessMode)
{
    public const string DefaultSize = "1Gi";

    public static ClaimSettings For(MappingNode? volume, ServiceSettings? service)
    {
        var x = volume?.Map("x-kubernetes");
        var opts = volume?.Map("driver_opts");
        var labels = volume?.StringMap("labels").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [];
        string? Label(string key) => labels.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        var size = x?.Str("size") ?? opts?.Str("size") ?? Label("kompose.volume.size") ?? service?.VolumeSize ?? DefaultSize;
        var storageClass = x?.Str("storage_class") ?? opts?.Str("storage_class") ?? Label("kompose.volume.storage-class-name") ?? service?.StorageClass;
        var mode = NormaliseAccessMode(x?.Str("access_mode") ?? opts?.Str("access_mode")) ?? "ReadWriteOnce";
        return new ClaimSettings(size, storageClass, mode);
    }

    /// <summary>True when <see cref="Size"/> is a Kubernetes quantity (10Gi, 500M); the client library throws on anything else.</summary>
    public bool HasValidSize
    {
        get
        {
            try
            {
                _ = new ResourceQuantity(Size);
                return true;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                return false;
            }
        }
    }

    public V1PersistentVolumeClaimSpec ToSpec() => new()
    {
        AccessModes = [AccessMode],
        StorageClassName = StorageClass,
        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new ResourceQuantity(Size) } },
    };

    public static string? NormaliseAccessMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "rwo" or "readwriteonce" => "ReadWriteOnce",
        "rwx" or "readwritemany" => "ReadWriteMany",
        "rox" or "readonlymany" => "ReadOnlyMany",
        "rwop" or "readwriteoncepod" => "ReadWriteOncePod",
        _ => mode,
    };
}
