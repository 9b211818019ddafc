using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Http;

namespace Berth.ApiServer.Security;

/// <summary>
/// An HTTP/1.1 answer read by hand from the cluster (<see cref="ImpersonatingClient"/>): status, headers, and the body
/// as a stream (chunked, Content-Length, or until the connection closes). Disposing it closes the connection.
/// </summary>
internal sealed class ClusterResponse : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;

    private readonly Stream _connection;
    private readonly IDisposable[] _owned;

    private ClusterResponse(int status, IReadOnlyDictionary<string, string> headers, Stream connection, Stream body, IDisposable[] owned)
    {
        Status = status;
        Headers = headers;
        _connection = connection;
        Body = body;
        _owned = owned;
    }

    public int Status { get; }

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Header names lower-cased; repeated headers joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public Stream Body { get; }

    internal static async Task<ClusterResponse> ReadAsync(Stream connection, IDisposable[] owned, CancellationToken cancellationToken)
    {
        var statusLine = await ReadLineAsync(connection, cancellationToken).ConfigureAwait(false) ?? throw new IOException("the cluster closed the connection before answering");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException("the cluster's answer is not HTTP/1.x");
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var size = statusLine.Length;
        while (await ReadLineAsync(connection, cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
        {
            size += line.Length;
            if (size > MaxHeadBytes)
            {
                throw new IOException("the cluster's answer has an oversized head");
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        Stream body = headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? new ChunkedStream(connection)
            : headers.TryGetValue("content-length", out var length) && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                ? new BoundedStream(connection, bytes)
                : connection;
        return new ClusterResponse(status, headers, connection, body, owned);
    }

    /// <summary>The whole body as text (for JSON answers; not for streams that do not end).</summary>
    public async Task<string> ReadTextAsync(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The cluster's refusal as this server's Status: the Status body it sent (code, reason, message, details kept,
    /// so the user sees the cluster's own words), or a generic one when the body is not a Status.
    /// </summary>
    public async Task<ApiException> RefusalAsync(string what, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonNode.Parse(text) is JsonObject status && status["kind"]?.ToString() == "Status")
            {
                return new ApiException(Status, status["reason"]?.ToString() ?? string.Empty, status["message"]?.ToString() ?? string.Empty, status["details"]?.DeepClone() as JsonObject);
            }
        }
        catch (JsonException)
        {
        }

        return ApiStatus.ServiceUnavailable($"{what}: the cluster answered {Status}");
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return line.Count == 0 ? null : Encoding.UTF8.GetString([.. line]);
            }

            if (one[0] == '\n')
            {
                return Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
            }

            if (line.Count > MaxHeadBytes)
            {
                throw new IOException("the cluster's answer has an oversized line");
            }

            line.Add(one[0]);
        }
    }

    /// <summary>A chunked body (RFC 9112 §7.1), read as its data; chunk extensions and trailers are skipped.</summary>
    private sealed class ChunkedStream(Stream inner) : ReadOnlyBody
    {
        private long _left;
        private bool _done;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_done || buffer.Length == 0)
            {
                return 0;
            }

            if (_left == 0)
            {
                var sizeLine = await ReadLineAsync(inner, cancellationToken).ConfigureAwait(false) ?? throw new IOException("the cluster closed a chunked answer early");
                var hex = sizeLine.Split(';')[0].Trim();
                if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _left) || _left < 0)
                {
                    throw new IOException("the cluster sent a malformed chunk size");
                }

                if (_left == 0)
                {
                    while (await ReadLineAsync(inner, cancellationToken).ConfigureAwait(false) is { Length: > 0 })
                    {
                    }

                    _done = true;
                    return 0;
                }
            }

            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the cluster closed a chunked answer early");
            }

            _left -= read;
            if (_left == 0)
            {
                await ReadLineAsync(inner, cancellationToken).ConfigureAwait(false);
            }

            return read;
        }
    }

    /// <summary>A Content-Length body.</summary>
    private sealed class BoundedStream(Stream inner, long length) : ReadOnlyBody
    {
        private long _left = length;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0 || buffer.Length == 0)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }
    }

    /// <summary>The read-only, forward-only stream both body framings are.</summary>
    private abstract class ReadOnlyBody : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
