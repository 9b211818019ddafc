using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi.Storage;

/// <summary>
/// The generic registry for stacks (k8s.io/apiserver pkg/registry/generic/registry/store.go on pkg/storage/etcd3):
/// version-agnostic, it reads and writes only <c>metadata</c> of the storage-form JSON it is given.
/// </summary>
public interface IStackStore
{
    /// <summary>Creates the stack named by metadata.namespace and metadata.name (or generateName).</summary>
    Task<JsonObject> CreateAsync(JsonObject stack, WriteOptions options, CancellationToken ct);

    Task<JsonObject> GetAsync(string ns, string name, CancellationToken ct);

    /// <summary>
    /// Read-modify-write, retried on etcd conflicts: mutate gets a copy of the current object and returns the
    /// desired one. If the desired object carries metadata.resourceVersion and it differs from the current one:
    /// Conflict (no retry). Unchanged bytes: nothing written, same RV. Removing the last finalizer of a terminating
    /// object deletes it. generation +1 when anything outside metadata and status changes.
    /// </summary>
    Task<JsonObject> UpdateAsync(string ns, string name, Func<JsonObject, JsonObject> mutate, WriteOptions options, CancellationToken ct);

    Task<DeleteResult> DeleteAsync(string ns, string name, DeleteOptions options, CancellationToken ct);

    Task<StackListResult> ListAsync(ListOptions options, CancellationToken ct);

    IAsyncEnumerable<StoreWatchEvent> WatchAsync(WatchOptions options, CancellationToken ct);

    Task<bool> CheckHealthAsync(CancellationToken ct);
}

public sealed record WriteOptions(bool DryRun = false);

public sealed record DeleteOptions(bool DryRun = false, string? PreconditionUid = null, string? PreconditionResourceVersion = null, string? PropagationPolicy = null);

/// <summary>Deleted=false: finalizers pending, Object has deletionTimestamp.</summary>
public sealed record DeleteResult(bool Deleted, JsonObject Object);

public sealed record ListOptions(string? Namespace, string? LabelSelector = null, string? FieldSelector = null, long? Limit = null, string? Continue = null, string? ResourceVersion = null, string? ResourceVersionMatch = null);

public sealed record StackListResult(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);

public sealed record WatchOptions(string? Namespace, string? LabelSelector = null, string? FieldSelector = null, string? ResourceVersion = null, bool AllowBookmarks = false, TimeSpan? Timeout = null);

public enum StoreWatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>One watch event. A Bookmark's object is <c>{"kind":"Stack","metadata":{"resourceVersion":…}}</c>; the server adds apiVersion.</summary>
public sealed record StoreWatchEvent(StoreWatchEventType Type, JsonObject Object);

public enum StoreErrorKind
{
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    BadRequest,
    Expired,
    ResourceVersionTooLarge,
    Unavailable,
}

/// <summary>A storage failure, its message worded exactly as kube-apiserver's (the server maps Kind to reason and code).</summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorKind kind, string message, string? name = null, ImmutableArray<FieldError> causes = default)
        : base(message)
    {
        Kind = kind;
        Name = name;
        Causes = causes.IsDefault ? [] : causes;
    }

    internal StoreException(StoreErrorKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
        Causes = [];
    }

    public StoreErrorKind Kind { get; }

    /// <summary>The stack's name when the error is about one (for Status details.name).</summary>
    public string? Name { get; }

    public ImmutableArray<FieldError> Causes { get; }
}
