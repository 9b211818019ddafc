using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;

namespace Berth.ApiServer.Security;

/// <summary>What the certificate and request-header authenticators trust: the CAs, the proxy names and the header names.</summary>
internal sealed record AuthenticationTrust(
    X509Certificate2Collection? ClientCa,
    X509Certificate2Collection? RequestHeaderCa,
    ImmutableArray<string> RequestHeaderAllowedNames,
    ImmutableArray<string> RequestHeaderUsernameHeaders,
    ImmutableArray<string> RequestHeaderGroupHeaders,
    ImmutableArray<string> RequestHeaderExtraHeadersPrefix)
{
    public static AuthenticationTrust FromFlags(ServerOptions options) => new(
        LoadCaFile(options.ClientCaFile),
        LoadCaFile(options.RequestHeaderClientCaFile),
        options.RequestHeaderAllowedNames,
        options.RequestHeaderUsernameHeaders,
        options.RequestHeaderGroupHeaders,
        options.RequestHeaderExtraHeadersPrefix);

    /// <summary>
    /// The trust with what the flags left out taken from the extension-apiserver-authentication ConfigMap's data,
    /// as DelegatingAuthenticationOptions do (AS/pkg/server/options/authentication.go lookupMissingConfigInCluster,
    /// inClusterClientCA, inClusterRequestHeader): the client CA when --client-ca-file is not given; the
    /// request-header CA and all the requestheader-* values when --requestheader-client-ca-file is not given.
    /// A key the ConfigMap lacks leaves that authenticator off. Malformed values throw FormatException.
    /// </summary>
    public AuthenticationTrust WithConfigMap(ServerOptions options, JsonObject? data)
    {
        var trust = this;
        if (options.ClientCaFile is null)
        {
            trust = trust with { ClientCa = Pem(data?["client-ca-file"]?.ToString(), "client-ca-file") };
        }

        if (options.RequestHeaderClientCaFile is null)
        {
            var ca = Pem(data?["requestheader-client-ca-file"]?.ToString(), "requestheader-client-ca-file");
            trust = ca is null
                ? trust with { RequestHeaderCa = null }
                : trust with
                {
                    RequestHeaderCa = ca,
                    RequestHeaderAllowedNames = Strings(data, "requestheader-allowed-names"),
                    RequestHeaderUsernameHeaders = Strings(data, "requestheader-username-headers"),
                    RequestHeaderGroupHeaders = Strings(data, "requestheader-group-headers"),
                    RequestHeaderExtraHeadersPrefix = Strings(data, "requestheader-extra-headers-prefix"),
                };
        }

        return trust;
    }

    private static X509Certificate2Collection? LoadCaFile(string? file)
    {
        if (file is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(file);
        return collection;
    }

    private static X509Certificate2Collection? Pem(string? pem, string key)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new FormatException($"{key}: not PEM certificates ({e.Message})", e);
        }

        return collection.Count > 0 ? collection : throw new FormatException($"{key}: no certificate");
    }

    // deserializeStrings: a JSON array of strings; empty or absent is none.
    private static ImmutableArray<string> Strings(JsonObject? data, string key)
    {
        var text = data?[key]?.ToString();
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(text, AuthenticationTrustJson.Default.StringArray) is { } values ? [.. values] : [];
        }
        catch (JsonException e)
        {
            throw new FormatException($"{key}: not a JSON array of strings ({e.Message})", e);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class AuthenticationTrustJson : System.Text.Json.Serialization.JsonSerializerContext;
