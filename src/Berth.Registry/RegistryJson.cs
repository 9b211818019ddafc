using System.Text.Json.Serialization;

namespace Berth.Registry;

/// <summary>The parts of the Docker CLI's config.json that hold credentials.</summary>
internal sealed record DockerConfigDocument(
    [property: JsonPropertyName("auths")] Dictionary<string, DockerAuthEntry>? Auths,
    [property: JsonPropertyName("credsStore")] string? CredsStore,
    [property: JsonPropertyName("credHelpers")] Dictionary<string, string>? CredHelpers);

/// <summary>One <c>auths</c> entry: <c>auth</c> is base64 of user:password; older files spell them out.</summary>
internal sealed record DockerAuthEntry(
    [property: JsonPropertyName("auth")] string? Auth,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("identitytoken")] string? IdentityToken);

/// <summary>A token server's answer (distribution token spec: <c>token</c>, or OAuth's <c>access_token</c>).</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn);

// Source-generated (no reflection): the library is used by the Native AOT binary.
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(DockerConfigDocument))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
