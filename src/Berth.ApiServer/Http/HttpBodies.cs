using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Http;

/// <summary>Reading request bodies (capped) and writing JSON and Status responses.</summary>
internal static class HttpBodies
{
    /// <summary>kube-apiserver's cap on a request body (AS/pkg/server/config.go MaxRequestBodyBytes: 3 MiB).</summary>
    public const long MaxBodyBytes = 3 * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw ApiStatus.TooLarge(MaxBodyBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw ApiStatus.TooLarge(MaxBodyBytes);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The body as a JSON object, or 400 as the decoder words it.</summary>
    public static JsonObject ParseObject(byte[] body, string kind = "Stack")
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw ApiStatus.BadRequest($"the body of the request is not a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiStatus.BadRequest($"the body of the request could not be decoded as a {kind}: {e.Message}");
        }
    }

    // Quotes stay quotes (Go's encoding/json escapes only <, >, & and control characters).
    public static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body, CancellationToken cancellationToken, string contentType = "application/json")
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body.ToJsonString(Output) + "\n", cancellationToken).ConfigureAwait(false);
    }

    public static Task WriteStatusAsync(HttpContext context, ApiException error, CancellationToken cancellationToken)
        => WriteJsonAsync(context, error.Code, error.ToStatus(), cancellationToken);
}
