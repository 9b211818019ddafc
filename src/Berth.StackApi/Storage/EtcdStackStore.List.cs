using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Berth.StackApi.Storage;

public sealed partial class EtcdStackStore
{
    private const string ListTooOld = "The resourceVersion for the provided list is too old.";

    /// <summary>
    /// A list as etcd3/store.go GetList: at the latest revision, at least N, or exactly N; in pages whose continue
    /// token pins the revision (pkg/storage/continue.go); selectors applied after reading.
    /// </summary>
    public async Task<StackListResult> ListAsync(ListOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector);
        var listPrefix = ListPrefix(options.Namespace);
        var end = PrefixEnd(listPrefix);
        var limit = options.Limit is > 0 ? options.Limit.Value : 0;

        long readRevision = 0;
        long minimum = 0;
        var fromKey = listPrefix;
        if (!string.IsNullOrEmpty(options.Continue))
        {
            if (!string.IsNullOrEmpty(options.ResourceVersion) && options.ResourceVersion != "0")
            {
                throw new StoreException(StoreErrorKind.BadRequest, "specifying resource version is not allowed when using continue");
            }

            (readRevision, var start) = ContinueToken.Decode(options.Continue);
            fromKey = listPrefix + start;
        }
        else
        {
            var rv = ParseResourceVersion(options.ResourceVersion);
            switch (options.ResourceVersionMatch)
            {
                case null or "":
                    // etcd3/store.go: legacy, a limit with an RV and no match reads exactly that revision.
                    if (limit > 0 && rv > 0)
                    {
                        readRevision = rv;
                    }
                    else
                    {
                        minimum = rv;
                    }

                    break;
                case "NotOlderThan":
                    minimum = rv;
                    break;
                case "Exact":
                    if (rv == 0)
                    {
                        throw new StoreException(StoreErrorKind.Invalid, "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"", causes: [new FieldError("FieldValueForbidden", "resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")]);
                    }

                    readRevision = rv;
                    break;
                default:
                    throw new StoreException(StoreErrorKind.BadRequest, $"unknown ResourceVersionMatch value: {options.ResourceVersionMatch}");
            }
        }

        var items = new List<JsonObject>();
        string? lastKey = null;
        var hasMore = false;
        long? firstCount = null;
        var key = ByteString.CopyFromUtf8(fromKey);
        while (true)
        {
            var request = new RangeRequest { Key = key, RangeEnd = end, Revision = readRevision, Limit = limit };
            RangeResponse response;
            try
            {
                response = await RangeAsync(request, ct, ListTooOld).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                // "required revision is a future revision".
                throw await TooLargeAsync(readRevision, ct).ConfigureAwait(false);
            }

            if (readRevision == 0)
            {
                readRevision = response.Header.Revision;
                if (minimum > readRevision)
                {
                    throw TooLarge(minimum, readRevision);
                }
            }

            firstCount ??= response.Count;
            for (var i = 0; i < response.Kvs.Count; i++)
            {
                var kv = response.Kvs[i];
                lastKey = kv.Key.ToStringUtf8();
                var obj = Decode(kv.Value, kv.ModRevision);
                if (!labels.Matches(obj) || !fields.Matches(obj))
                {
                    continue;
                }

                items.Add(obj);
                if (limit > 0 && items.Count == limit)
                {
                    hasMore = i < response.Kvs.Count - 1 || response.More;
                    goto Done;
                }
            }

            if (!response.More || lastKey is null)
            {
                break;
            }

            key = ByteString.CopyFromUtf8(lastKey + "\0");
        }

    Done:
        string? continueToken = null;
        long? remaining = null;
        if (hasMore && lastKey is not null)
        {
            continueToken = ContinueToken.Encode(readRevision, lastKey[listPrefix.Length..] + "\0");

            // continue.go: the count is exact only when nothing was filtered out.
            if (labels.IsEmpty && fields.IsEmpty && firstCount is { } count)
            {
                remaining = count - items.Count;
            }
        }

        return new StackListResult(items, readRevision.ToString(CultureInfo.InvariantCulture), continueToken, remaining);
    }

    internal static long ParseResourceVersion(string? resourceVersion)
    {
        if (string.IsNullOrEmpty(resourceVersion))
        {
            return 0;
        }

        if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            // pkg/storage/api_object_versioner.go ParseResourceVersion, surfaced as 400 by the handlers.
            throw new StoreException(StoreErrorKind.BadRequest, new StringBuilder("invalid resource version: ").Append(resourceVersion).ToString());
        }

        return rv;
    }

    private async Task<StoreException> TooLargeAsync(long requested, CancellationToken ct)
    {
        var current = await RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(_prefix + "/"), CountOnly = true }, ct).ConfigureAwait(false);
        return TooLarge(requested, current.Header.Revision);
    }

    // etcd3/errors.go / storage.NewTooLargeResourceVersionError: 504 with cause ResourceVersionTooLarge.
    private static StoreException TooLarge(long requested, long current)
        => new(StoreErrorKind.ResourceVersionTooLarge, $"Too large resource version: {requested}, current: {current}", causes: [new FieldError("ResourceVersionTooLarge", string.Empty, "Too large resource version")]);
}
