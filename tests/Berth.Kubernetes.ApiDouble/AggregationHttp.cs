using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// One HTTP/1.1 exchange over TLS, written by hand because the proxy must send repeated header lines
/// (one <c>X-Remote-Group</c> per group, as Go's <c>Header.Add</c> does): HttpClient folds repeated values into
/// one comma-joined line, which the backend would rightly read as one group. One connection per request.
/// </summary>
internal static class AggregationHttp
{
    public sealed record Head(int Status, IReadOnlyList<(string Name, string Value)> Headers);

    public static async Task ExchangeAsync(
        Uri endpoint,
        string serverName,
        SslClientAuthenticationOptions tls,
        string method,
        string pathAndQuery,
        IReadOnlyList<(string Name, string Value)> headers,
        byte[]? body,
        Func<Head, Task> onHead,
        Func<ReadOnlyMemory<byte>, Task> onBody,
        CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            await ssl.AuthenticateAsClientAsync(tls, cancellationToken).ConfigureAwait(false);
            var request = new StringBuilder();
            request.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
            request.Append("Host: ").Append(serverName).Append("\r\n");
            foreach (var (name, value) in headers)
            {
                request.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            if (body is not null)
            {
                request.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }

            request.Append("Connection: close\r\n\r\n");
            await ssl.WriteAsync(Encoding.Latin1.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
            if (body is not null)
            {
                await ssl.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            }

            await ssl.FlushAsync(cancellationToken).ConfigureAwait(false);

            var reader = new Reader(ssl);
            var statusLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new HttpRequestException("the backend closed the connection without answering");
            var parts = statusLine.Split(' ', 3);
            var status = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var responseHeaders = new List<(string, string)>();
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                responseHeaders.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }

            await onHead(new Head(status, responseHeaders)).ConfigureAwait(false);
            if (method == "HEAD" || status is 204 or 304 || (status >= 100 && status < 200))
            {
                return;
            }

            var chunked = responseHeaders.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Item2.Contains("chunked", StringComparison.OrdinalIgnoreCase));
            var length = responseHeaders.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => (long?)long.Parse(h.Item2, CultureInfo.InvariantCulture)).FirstOrDefault();
            var buffer = new byte[16 * 1024];
            if (chunked)
            {
                while (true)
                {
                    var sizeLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    if (sizeLine is null)
                    {
                        return;
                    }

                    var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        return;
                    }

                    await CopyAsync(reader, size, buffer, onBody, cancellationToken).ConfigureAwait(false);
                    await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await CopyAsync(reader, length ?? long.MaxValue, buffer, onBody, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CopyAsync(Reader reader, long count, byte[] buffer, Func<ReadOnlyMemory<byte>, Task> onBody, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            await onBody(buffer.AsMemory(0, read)).ConfigureAwait(false);
            count -= read;
        }
    }

    /// <summary>Lines and bytes from a stream, with a small buffer of its own.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return line.Count == 0 ? null : Encoding.Latin1.GetString([.. line]);
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    if (line.Count > 0 && line[^1] == '\r')
                    {
                        line.RemoveAt(line.Count - 1);
                    }

                    return Encoding.Latin1.GetString([.. line]);
                }

                line.Add(b);
            }
        }

        public async Task<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (_start == _end)
            {
                // Large reads go straight to the stream once the buffer is drained.
                return await stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }

            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            return _end > 0;
        }
    }
}
