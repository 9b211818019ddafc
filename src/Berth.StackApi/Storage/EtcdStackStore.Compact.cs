using Etcdserverpb;
using Google.Protobuf;

namespace Berth.StackApi.Storage;

public sealed partial class EtcdStackStore
{
    // The key kube-apiserver's compactors agree through; sharing it lets several servers on one etcd take turns.
    private const string CompactRevKey = "compact_rev_key";

    private long _compactTime;
    private long _compactRevision;

    /// <summary>
    /// Every interval, compacts etcd to the revision seen one interval before (k8s.io/apiserver
    /// pkg/storage/etcd3/compact.go): a watch or list has an interval to catch up, then its revision is gone.
    /// </summary>
    private async Task CompactLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(_options.CompactionInterval, ct).ConfigureAwait(false);
            try
            {
                await CompactOnceAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoreException or Grpc.Core.RpcException)
            {
                // etcd away: try again next interval, as compact.go does.
            }
        }
    }

    /// <summary>One round of compact.go's compact(): claim the round by CAS on the key's version, then compact.</summary>
    internal async Task CompactOnceAsync(CancellationToken ct)
    {
        var key = ByteString.CopyFromUtf8(CompactRevKey);
        var request = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = _compactTime } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(_compactRevision.ToString(System.Globalization.CultureInfo.InvariantCulture)) } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
        };
        var response = await TxnAsync(request, ct).ConfigureAwait(false);
        var currentRevision = response.Header.Revision;
        if (!response.Succeeded)
        {
            // Another server compacted this round; follow its count.
            var kvs = response.Responses[0].ResponseRange.Kvs;
            _compactTime = kvs.Count > 0 ? kvs[0].Version : 0;
            _compactRevision = currentRevision;
            return;
        }

        var revision = _compactRevision;
        _compactTime++;
        _compactRevision = currentRevision;
        if (revision == 0)
        {
            // Not on bootstrap: nothing was seen an interval ago.
            return;
        }

        await CallAsync("compact", () => _client.CompactAsync(new CompactionRequest { Revision = revision }, deadline: Deadline(), cancellationToken: ct), ct).ConfigureAwait(false);
    }
}
