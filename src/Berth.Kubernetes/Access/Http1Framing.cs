using System.Globalization;
using System.Text;

namespace Berth.Kubernetes.Access;

/// <summary>The head of an HTTP/1.1 answer read by hand, and its body framed as a stream (chunked, Content-Length, or until close).</summary>
internal sealed record Http1Head(int Status, string Reason, IReadOnlyList<(string Name, string Value)> Headers, Stream Body);

/// <summary>HTTP/1.1 answers read by hand from a connection (RFC 9112): the status line, header lines, body framing.</summary>
internal static class Http1Framing
{
    private const int MaxHeadBytes = 64 * 1024;

    public static async Task<Http1Head> ReadHeadAsync(Stream connection, CancellationToken cancellationToken)
    {
        var statusLine = await ReadLineAsync(connection, cancellationToken).ConfigureAwait(false) ?? throw new IOException("the cluster closed the connection before answering");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException("the cluster's answer is not HTTP/1.x");
        }

        var headers = new List<(string Name, string Value)>();
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

            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        string? Header(string name) => headers.LastOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        Stream body = Header("Transfer-Encoding") is { } encoding && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? new ChunkedStream(connection)
            : Header("Content-Length") is { } length && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                ? new BoundedStream(connection, bytes)
                : connection;
        return new Http1Head(status, parts.Length > 2 ? parts[2] : string.Empty, headers, body);
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
    internal abstract class ReadOnlyBody : Stream
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
