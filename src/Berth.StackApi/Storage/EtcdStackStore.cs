using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Mvccpb;

namespace Berth.StackApi.Storage;

/// <summary>
/// Stacks in etcd v3 as kube-apiserver keeps custom resources: one key per stack, the resourceVersion is the etcd
/// revision, every write a transaction guarded by the key's mod revision (k8s.io/apiserver pkg/storage/etcd3/store.go,
/// pkg/registry/generic/registry/store.go). Version-agnostic: it reads and writes only metadata.
/// </summary>
public sealed partial class EtcdStackStore : IStackStore, IAsyncDisposable
{
    private const string Resource = "stacks.compose.docker.com";

    // The kind-qualified name rest.BeforeDelete gives its precondition conflicts (GroupResource{Group, Kind}).
    private const string KindResource = "Stack.compose.docker.com";

    private readonly EtcdClient _client;
    private readonly EtcdStoreOptions _options;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _compactor;

    public EtcdStackStore(EtcdStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is required", nameof(options));
        }

        _options = options;
        _prefix = options.KeyPrefix.TrimEnd('/');
        _client = CreateClient(options);
        _compactor = options.CompactionInterval > TimeSpan.Zero ? Task.Run(() => CompactLoopAsync(_stopping.Token)) : Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _compactor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is how the compactor ends.
        }

        _client.Dispose();
        _stopping.Dispose();
    }

    private static EtcdClient CreateClient(EtcdStoreOptions options)
    {
        var endpoints = string.Join(",", options.Endpoints);

        // dotnet-etcd's default service config retries Unavailable 5 times over ~10 s; a store call should fail fast
        // when etcd is down (the caller answers 5xx) and the channel should reconnect quickly when it is back.
        void Channel(GrpcChannelOptions channel)
        {
            channel.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
            channel.InitialReconnectBackoff = TimeSpan.FromMilliseconds(200);
            channel.MaxReconnectBackoff = TimeSpan.FromSeconds(2);

            // A list of every stack is one range, as in kube-apiserver (whose etcd client allows 2 GiB); gRPC's 4 MiB
            // default would fail at a few thousand stacks.
            channel.MaxReceiveMessageSize = null;
        }

        var tls = options.CaFile is not null || options.CertFile is not null
            || options.Endpoints.Any(e => e.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        if (!tls)
        {
            return new EtcdClient(endpoints, configureChannelOptions: Channel);
        }

        X509Certificate2Collection? roots = null;
        if (options.CaFile is not null)
        {
            roots = [];
            roots.ImportFromPemFile(options.CaFile);
        }

        X509Certificate2? clientCertificate = options.CertFile is not null
            ? X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile)
            : null;

        void Ssl(SslClientAuthenticationOptions ssl)
        {
            if (clientCertificate is not null)
            {
                ssl.ClientCertificates = [clientCertificate];
            }

            if (roots is not null)
            {
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, roots);
            }
        }

        return new EtcdClient(endpoints, Ssl, configureChannelOptions: Channel);
    }

    // ---- keys and values -------------------------------------------------------------------------------------

    private string KeyOf(string ns, string name)
    {
        StackNames.ValidatePathSegment(ns, "Namespace");
        StackNames.ValidatePathSegment(name);
        return $"{_prefix}/{ns}/{name}";
    }

    private string ListPrefix(string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return _prefix + "/";
        }

        StackNames.ValidatePathSegment(ns, "Namespace");
        return $"{_prefix}/{ns}/";
    }

    // etcd's range end for "every key with this prefix": the prefix with its last byte incremented.
    private static ByteString PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    private static JsonObject MetadataOf(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    private static string? StringOf(JsonObject metadata, string field)
        => metadata[field] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    // The stored value has no resourceVersion: etcd's revision is the truth (pkg/storage/api_object_versioner.go).
    // Written from the tree with those two fields left out, not from a deep copy without them.
    private static ByteString Serialize(JsonObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (field, value) in obj)
            {
                writer.WritePropertyName(field);
                if (field == "metadata")
                {
                    // Anything but an object was replaced by an empty one (MetadataOf on the copy).
                    writer.WriteStartObject();
                    foreach (var (key, item) in value as JsonObject ?? [])
                    {
                        if (key is not ("resourceVersion" or "selfLink"))
                        {
                            writer.WritePropertyName(key);
                            WriteValue(writer, item);
                        }
                    }

                    writer.WriteEndObject();
                }
                else
                {
                    WriteValue(writer, value);
                }
            }

            if (!obj.ContainsKey("metadata"))
            {
                // MetadataOf added an empty metadata to the copy this used to serialize.
                writer.WritePropertyName("metadata");
                writer.WriteStartObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return ByteString.CopyFrom(buffer.WrittenSpan);

        static void WriteValue(Utf8JsonWriter writer, JsonNode? value)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }
    }

    private static JsonObject Decode(ByteString value, long revision)
    {
        var obj = JsonNode.Parse(value.Span) as JsonObject ?? throw new StoreException(StoreErrorKind.Unavailable, "etcd holds a stack that is not a JSON object");
        MetadataOf(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    private static StoreException NotFound(string name) => new(StoreErrorKind.NotFound, $"{Resource} \"{name}\" not found", name);

    private static StoreException Conflict(string name)
        => new(StoreErrorKind.Conflict, $"Operation cannot be fulfilled on {Resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", name);

    // ---- calls to etcd ---------------------------------------------------------------------------------------

    private DateTime Deadline() => DateTime.UtcNow + _options.RequestTimeout;

    /// <summary>Runs one etcd call; a failure to reach etcd becomes Unavailable, with etcd's reason and no stack trace.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call, CancellationToken ct, string? expiredMessage = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var answered = false;
        try
        {
            var result = await call().ConfigureAwait(false);
            answered = true;
            return result;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
        {
            // etcd answered (compacted or future revision): a request error, not an outage.
            answered = true;
            if (expiredMessage is not null && e.Status.Detail.Contains("compacted", StringComparison.Ordinal))
            {
                throw new StoreException(StoreErrorKind.Expired, expiredMessage);
            }

            throw;
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"etcd is unavailable: {e.StatusCode}: {e.Status.Detail}", e);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or ObjectDisposedException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"etcd is unavailable: {e.Message}", e);
        }
        finally
        {
            _options.ObserveRequest?.Invoke(operation, System.Diagnostics.Stopwatch.GetElapsedTime(started), answered);
        }
    }

    private Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct, string? expiredMessage = null)
        => CallAsync("range", () => _client.GetAsync(request, deadline: Deadline(), cancellationToken: ct), ct, expiredMessage);

    private Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken ct)
        => CallAsync("txn", () => _client.TransactionAsync(request, deadline: Deadline(), cancellationToken: ct), ct);

    private async Task<KeyValue?> GetKvAsync(string key, CancellationToken ct)
    {
        var response = await RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }, ct).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : response.Kvs[0];
    }

    /// <summary>If the key's mod revision is still <paramref name="modRevision"/> (0: absent), do <paramref name="then"/>.</summary>
    private static TxnRequest Guarded(string key, long modRevision, RequestOp then)
    {
        var keyBytes = ByteString.CopyFromUtf8(key);
        return new TxnRequest
        {
            Compare = { new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = modRevision } },
            Success = { then },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
    }

    private static RequestOp Put(string key, ByteString value)
        => new() { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = value } };

    private static RequestOp Delete(string key)
        => new() { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) } };

    public async Task<bool> CheckHealthAsync(CancellationToken ct)
    {
        // As kube-apiserver's etcd health check: any answer to a read of one key within a short deadline.
        try
        {
            await _client.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("health") }, deadline: DateTime.UtcNow + TimeSpan.FromSeconds(2), cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (RpcException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    // ---- create / get ----------------------------------------------------------------------------------------

    public async Task<JsonObject> CreateAsync(JsonObject stack, WriteOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(options);
        var obj = stack.DeepClone().AsObject();
        var metadata = MetadataOf(obj);
        var ns = StringOf(metadata, "namespace");
        if (string.IsNullOrEmpty(ns))
        {
            throw new StoreException(StoreErrorKind.BadRequest, "Namespace parameter required.");
        }

        var name = StringOf(metadata, "name");
        var generateName = StringOf(metadata, "generateName");
        var generated = string.IsNullOrEmpty(name);
        if (generated && string.IsNullOrEmpty(generateName))
        {
            throw new StoreException(
                StoreErrorKind.Invalid,
                "Stack.compose.docker.com \"\" is invalid: metadata.name: Required value: name or generateName is required",
                causes: [new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
        }

        // What rest.FillObjectMetaSystemFields and the CRD strategy's PrepareForCreate set (rest/create.go,
        // apiextensions-apiserver pkg/registry/customresource/strategy.go); whatever the client sent is replaced.
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        metadata["generation"] = 1;
        metadata.Remove("resourceVersion");
        metadata.Remove("selfLink");
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");

        // rest/create.go: a generated name that collides is generated again, 8 tries in all.
        var attempts = generated ? 8 : 1;
        for (var attempt = 1; ; attempt++)
        {
            if (generated)
            {
                name = StackNames.Generate(generateName!);
                metadata["name"] = name;
            }

            var key = KeyOf(ns, name!);
            if (options.DryRun)
            {
                // store/dryrun.go: a dry-run create still reports an existing object, and gets no resourceVersion.
                var existing = await GetKvAsync(key, ct).ConfigureAwait(false);
                if (existing is null)
                {
                    return obj;
                }

                if (attempt < attempts)
                {
                    continue;
                }

                throw AlreadyExists(name!, Decode(existing.Value, existing.ModRevision));
            }

            var response = await TxnAsync(Guarded(key, 0, Put(key, Serialize(obj))), ct).ConfigureAwait(false);
            if (response.Succeeded)
            {
                metadata["resourceVersion"] = response.Header.Revision.ToString(CultureInfo.InvariantCulture);
                return obj;
            }

            if (attempt < attempts)
            {
                continue;
            }

            var kvs = response.Responses[0].ResponseRange.Kvs;
            throw AlreadyExists(name!, kvs.Count > 0 ? Decode(kvs[0].Value, kvs[0].ModRevision) : null);
        }
    }

    private static StoreException AlreadyExists(string name, JsonObject? existing)
    {
        var message = $"{Resource} \"{name}\" already exists";
        if (existing is not null && MetadataOf(existing)["deletionTimestamp"] is not null)
        {
            message = "object is being deleted: " + message;
        }

        return new StoreException(StoreErrorKind.AlreadyExists, message, name);
    }

    public async Task<JsonObject> GetAsync(string ns, string name, CancellationToken ct)
    {
        var kv = await GetKvAsync(KeyOf(ns, name), ct).ConfigureAwait(false) ?? throw NotFound(name);
        return Decode(kv.Value, kv.ModRevision);
    }

    // ---- update ----------------------------------------------------------------------------------------------

    // Fields only the server sets (rest/update.go FillObjectMetaSystemFields and the CRD strategy's PrepareForUpdate).
    private static readonly string[] SystemFields = ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"];

    public async Task<JsonObject> UpdateAsync(string ns, string name, Func<JsonObject, JsonObject> mutate, WriteOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        ArgumentNullException.ThrowIfNull(options);
        var key = KeyOf(ns, name);

        // etcd3/store.go GuaranteedUpdate: read, mutate, Txn If(mod_revision == read) — on a lost race read again.
        while (true)
        {
            var kv = await GetKvAsync(key, ct).ConfigureAwait(false) ?? throw NotFound(name);
            var current = Decode(kv.Value, kv.ModRevision);
            var currentMetadata = MetadataOf(current);
            var currentRv = kv.ModRevision.ToString(CultureInfo.InvariantCulture);

            var desired = mutate(current.DeepClone().AsObject()) ?? throw new InvalidOperationException("mutate returned null");
            var metadata = MetadataOf(desired);
            var expectedRv = StringOf(metadata, "resourceVersion");
            if (!string.IsNullOrEmpty(expectedRv) && expectedRv != currentRv)
            {
                throw Conflict(name);
            }

            foreach (var field in SystemFields)
            {
                var kept = currentMetadata[field];
                if (kept is null)
                {
                    metadata.Remove(field);
                }
                else if (!JsonNode.DeepEquals(metadata[field], kept))
                {
                    metadata[field] = kept.DeepClone();
                }
            }

            // apiextensions-apiserver pkg/registry/customresource/strategy.go PrepareForUpdate: generation moves when
            // anything but metadata and status changes.
            if (!EqualWithoutMetadataAndStatus(current, desired))
            {
                metadata["generation"] = GenerationOf(currentMetadata) + 1;
            }

            metadata["resourceVersion"] = currentRv;

            // store.go Update (ShouldDeleteDuringUpdate): the last finalizer gone from a terminating object deletes it.
            if (currentMetadata["deletionTimestamp"] is not null && FinalizersOf(metadata).Count == 0)
            {
                if (options.DryRun)
                {
                    return desired;
                }

                var deleted = await TxnAsync(Guarded(key, kv.ModRevision, Delete(key)), ct).ConfigureAwait(false);
                if (deleted.Succeeded)
                {
                    metadata["resourceVersion"] = deleted.Header.Revision.ToString(CultureInfo.InvariantCulture);
                    return desired;
                }

                continue;
            }

            // Unchanged: nothing written, no event, same resourceVersion (etcd3/store.go GuaranteedUpdate).
            if (JsonNode.DeepEquals(desired, current))
            {
                return current;
            }

            if (options.DryRun)
            {
                return desired;
            }

            var response = await TxnAsync(Guarded(key, kv.ModRevision, Put(key, Serialize(desired))), ct).ConfigureAwait(false);
            if (response.Succeeded)
            {
                metadata["resourceVersion"] = response.Header.Revision.ToString(CultureInfo.InvariantCulture);
                return desired;
            }
        }
    }

    // Compared in place: copying both objects without metadata and status cost two deep copies per update.
    private static bool EqualWithoutMetadataAndStatus(JsonObject a, JsonObject b)
    {
        var fields = 0;
        foreach (var (field, value) in a)
        {
            if (field is "metadata" or "status")
            {
                continue;
            }

            if (!b.TryGetPropertyValue(field, out var other) || !JsonNode.DeepEquals(value, other))
            {
                return false;
            }

            fields++;
        }

        return fields == b.Count(e => e.Key is not ("metadata" or "status"));
    }

    private static long GenerationOf(JsonObject metadata)
        => metadata["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;

    private static List<string> FinalizersOf(JsonObject metadata)
        => metadata["finalizers"] is JsonArray array
            ? [.. array.Select(f => f?.GetValue<string>()).OfType<string>()]
            : [];

    // ---- delete ----------------------------------------------------------------------------------------------

    public async Task<DeleteResult> DeleteAsync(string ns, string name, DeleteOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = KeyOf(ns, name);
        while (true)
        {
            var kv = await GetKvAsync(key, ct).ConfigureAwait(false) ?? throw NotFound(name);
            var current = Decode(kv.Value, kv.ModRevision);
            var metadata = MetadataOf(current);

            // rest/delete.go BeforeDelete checks the preconditions first, worded with the kind.
            var uid = StringOf(metadata, "uid") ?? string.Empty;
            if (options.PreconditionUid is not null && options.PreconditionUid != uid)
            {
                throw new StoreException(StoreErrorKind.Conflict, $"Operation cannot be fulfilled on {KindResource} \"{name}\": the UID in the precondition ({options.PreconditionUid}) does not match the UID in record ({uid}). The object might have been deleted and then recreated", name);
            }

            var rv = kv.ModRevision.ToString(CultureInfo.InvariantCulture);
            if (options.PreconditionResourceVersion is not null && options.PreconditionResourceVersion != rv)
            {
                throw new StoreException(StoreErrorKind.Conflict, $"Operation cannot be fulfilled on {KindResource} \"{name}\": the ResourceVersion in the precondition ({options.PreconditionResourceVersion}) does not match the ResourceVersion in record ({rv}). The object might have been modified", name);
            }

            // store.go deletionFinalizersForGarbageCollection: the policy becomes the orphan/foregroundDeletion finalizer.
            var finalizers = FinalizersOf(metadata);
            var wanted = new List<string>(finalizers);
            switch (options.PropagationPolicy)
            {
                case "Orphan":
                    wanted.Remove("foregroundDeletion");
                    AddOnce(wanted, "orphan");
                    break;
                case "Foreground":
                    wanted.Remove("orphan");
                    AddOnce(wanted, "foregroundDeletion");
                    break;
                case "Background":
                    wanted.Remove("orphan");
                    wanted.Remove("foregroundDeletion");
                    break;
                default:
                    break;
            }

            if (wanted.Count == 0)
            {
                if (options.DryRun)
                {
                    return new DeleteResult(true, current);
                }

                var deleted = await TxnAsync(Guarded(key, kv.ModRevision, Delete(key)), ct).ConfigureAwait(false);
                if (deleted.Succeeded)
                {
                    return new DeleteResult(true, current);
                }

                continue;
            }

            // Finalizers pending: mark it terminating (store.go updateForGracefulDeletionAndFinalizers), grace 0.
            var terminating = current.DeepClone().AsObject();
            var terminatingMetadata = MetadataOf(terminating);
            if (terminatingMetadata["deletionTimestamp"] is null)
            {
                terminatingMetadata["deletionTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                terminatingMetadata["deletionGracePeriodSeconds"] = 0;
                terminatingMetadata["generation"] = GenerationOf(metadata) + 1;
            }

            if (!finalizers.SequenceEqual(wanted))
            {
                terminatingMetadata["finalizers"] = new JsonArray([.. wanted.Select(f => (JsonNode)JsonValue.Create(f))]);
            }

            if (JsonNode.DeepEquals(terminating, current) || options.DryRun)
            {
                return new DeleteResult(false, terminating);
            }

            var response = await TxnAsync(Guarded(key, kv.ModRevision, Put(key, Serialize(terminating))), ct).ConfigureAwait(false);
            if (response.Succeeded)
            {
                terminatingMetadata["resourceVersion"] = response.Header.Revision.ToString(CultureInfo.InvariantCulture);
                return new DeleteResult(false, terminating);
            }
        }
    }

    private static void AddOnce(List<string> list, string item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
