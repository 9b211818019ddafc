using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Http;

namespace Berth.ApiServer.Security;

/// <summary>
/// An answer from the cluster (<see cref="ImpersonatingClient"/>): status, headers, and the body as a stream.
/// Disposing it closes the connection.
/// </summary>
internal sealed class ClusterResponse(HttpResponseMessage response) : IAsyncDisposable
{
    private Stream? _body;

    public int Status => (int)response.StatusCode;

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>Header names lower-cased; repeated headers joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = response.Headers.Concat(response.Content.Headers)
        .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.Ordinal);

    public Stream Body => _body ??= response.Content.ReadAsStream();

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

    public ValueTask DisposeAsync()
    {
        _body?.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
