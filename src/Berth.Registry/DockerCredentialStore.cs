using System.Text;
using System.Text.Json;

namespace Berth.Registry;

/// <summary>
/// Credentials from the Docker CLI's config.json (<c>auths.&lt;host&gt;.auth</c>), found as the CLI finds the file.
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are not run yet: a registry they serve gets a clear
/// failure instead of an anonymous attempt that would only fail later with a less helpful 401.
/// </summary>
internal sealed class DockerCredentialStore(DigestResolverOptions options)
{
    // Docker keeps Docker Hub's credentials under its v1 index address.
    private const string DockerHubKey = "index.docker.io";

    /// <summary>The config file read: the option, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json.</summary>
    public string ConfigFile { get; } = options.DockerConfigFile
        ?? Path.Combine(
            options.Environment("DOCKER_CONFIG") is { Length: > 0 } directory
                ? directory
                : Path.Combine(options.Environment("HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".docker"),
            "config.json");

    /// <summary>The credentials for <paramref name="registry"/> (as written in references: docker.io, host:port).</summary>
    public async Task<CredentialLookup> LookupAsync(string registry, CancellationToken cancellationToken)
    {
        if (!File.Exists(ConfigFile))
        {
            return new CredentialLookup(null, $"{ConfigFile} does not exist", null);
        }

        DockerConfigDocument? document;
        try
        {
            // Read whole, then parsed synchronously: no asynchronous JSON stream read in the binary (docs/design/startup.md).
            var bytes = await File.ReadAllBytesAsync(ConfigFile, cancellationToken).ConfigureAwait(false);
            document = JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.DockerConfigDocument);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return Unavailable($"cannot read the Docker config {ConfigFile}: {FirstLine(e.Message)}; fix the file or point DOCKER_CONFIG at another folder");
        }

        var host = registry == ImageReference.DockerHub ? DockerHubKey : registry;
        if (FindByHost(document?.CredHelpers, host) is { } helper)
        {
            return Unavailable($"{ConfigFile} keeps the credentials for {registry} in the credential helper docker-credential-{helper} (credHelpers), which Berth does not run yet; put them in auths.\"{host}\".auth (base64 of user:password) in a config file Berth reads (DOCKER_CONFIG)");
        }

        var entry = FindByHost(document?.Auths, host);
        if (entry is not null)
        {
            if (Decode(entry) is { } credentials)
            {
                return new CredentialLookup(credentials with { Source = ConfigFile }, "", null);
            }

            if (!string.IsNullOrEmpty(entry.IdentityToken))
            {
                return Unavailable($"{ConfigFile} holds an identity token (OAuth refresh token) for {registry}, which Berth does not use yet; log in with a user name and password or access token");
            }

            if (!string.IsNullOrEmpty(entry.Auth))
            {
                return Unavailable($"{ConfigFile}: auths.\"{host}\".auth is not base64 of user:password");
            }
        }

        if (!string.IsNullOrEmpty(document?.CredsStore))
        {
            return Unavailable($"{ConfigFile} keeps credentials in the credential store docker-credential-{document.CredsStore} (credsStore), which Berth does not run yet; put the credentials for {registry} in auths.\"{host}\".auth (base64 of user:password) in a config file Berth reads (DOCKER_CONFIG)");
        }

        return new CredentialLookup(null, $"none for {registry} in {ConfigFile}", null);
    }

    // auths and credHelpers keys may carry a scheme and a path (https://index.docker.io/v1/): compared by host, as the docker CLI does.
    private static T? FindByHost<T>(Dictionary<string, T>? entries, string host)
        where T : class
    {
        foreach (var (key, entry) in entries ?? [])
        {
            if (string.Equals(HostOf(key), host, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }

    private static string HostOf(string key)
    {
        var host = key;
        foreach (var scheme in new[] { "https://", "http://" })
        {
            if (host.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                host = host[scheme.Length..];
            }
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? host[..slash] : host;
    }

    private static RegistryCredentials? Decode(DockerAuthEntry entry)
    {
        if (!string.IsNullOrEmpty(entry.Auth))
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                return colon > 0 ? new RegistryCredentials(text[..colon], text[(colon + 1)..], "") : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return !string.IsNullOrEmpty(entry.Username) && entry.Password is not null
            ? new RegistryCredentials(entry.Username, entry.Password, "")
            : null;
    }

    private static CredentialLookup Unavailable(string message)
        => new(null, "", new RegistryFailure(RegistryFailureKind.CredentialsUnavailable, message));

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end >= 0 ? text[..end] : text;
    }
}
