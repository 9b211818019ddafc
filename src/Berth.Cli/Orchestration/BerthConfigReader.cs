using System.Text.Json;

namespace Berth.Cli.Orchestration;

/// <summary>
/// Finds and reads the Berth config file: <c>$BERTH_CONFIG</c>, else <c>$XDG_CONFIG_HOME/berth/config.json</c>, else
/// <c>~/.config/berth/config.json</c>. A missing default file is no config; a missing <c>$BERTH_CONFIG</c> file is an error.
/// </summary>
internal static class BerthConfigReader
{
    public const string PathVariable = "BERTH_CONFIG";

    public static string? Locate(Func<string, string?> environment)
    {
        if (NonEmpty(environment(PathVariable)) is { } explicitPath)
        {
            return explicitPath;
        }

        if (NonEmpty(environment("XDG_CONFIG_HOME")) is { } xdg)
        {
            return Path.Combine(xdg, "berth", "config.json");
        }

        return Home(environment) is { } home ? Path.Combine(home, ".config", "berth", "config.json") : null;
    }

    public static BerthConfigResult Read(Func<string, string?> environment)
    {
        var path = Locate(environment);
        if (path is null)
        {
            return BerthConfigResult.Ok(BerthConfig.Empty);
        }

        if (!File.Exists(path))
        {
            return NonEmpty(environment(PathVariable)) is null
                ? BerthConfigResult.Ok(BerthConfig.Empty)
                : BerthConfigResult.Failed($"the config file {path} (from {PathVariable}) does not exist");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return BerthConfigResult.Failed($"cannot read the config file {path}: {ex.Message}");
        }

        return Parse(text, path, environment);
    }

    public static BerthConfigResult Parse(string text, string path, Func<string, string?> environment)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return BerthConfigResult.Failed($"the config file {path} must hold a JSON object");
            }

            var policyMode = String(root, "policyMode", path);
            if (policyMode is not (null or "warn" or "enforce"))
            {
                return BerthConfigResult.Failed($"the config file {path}: \"policyMode\" must be warn or enforce, not '{policyMode}'");
            }

            var policy = String(root, "policy", path);
            var config = new BerthConfig
            {
                Path = path,
                Orchestrator = String(root, "orchestrator", path),
                Policy = policy is not null && policy.StartsWith("~/", StringComparison.Ordinal) && Home(environment) is { } home ? Path.Combine(home, policy[2..]) : policy,
                PolicyMode = policyMode,
            };
            if (root.TryGetProperty("kubernetes", out var kubernetes) && kubernetes.ValueKind != JsonValueKind.Null)
            {
                if (kubernetes.ValueKind != JsonValueKind.Object)
                {
                    return BerthConfigResult.Failed($"the config file {path}: \"kubernetes\" must be an object");
                }

                var kubeconfig = String(kubernetes, "kubeconfig", path);
                var resolveImage = String(kubernetes, "resolveImage", path);
                if (resolveImage is not (null or "always" or "changed" or "never"))
                {
                    return BerthConfigResult.Failed($"the config file {path}: \"kubernetes.resolveImage\" must be always, changed or never, not '{resolveImage}'");
                }

                config = config with
                {
                    Namespace = String(kubernetes, "namespace", path),
                    Context = String(kubernetes, "context", path),
                    ResolveImage = resolveImage,
                    Kubeconfig = kubeconfig is null ? null : Resolve(kubeconfig, path, environment),
                };
            }

            return BerthConfigResult.Ok(config);
        }
        catch (JsonException ex)
        {
            return BerthConfigResult.Failed($"the config file {path} is not valid JSON (line {ex.LineNumber + 1}): {ex.Message.Split('.')[0]}");
        }
        catch (InvalidDataException ex)
        {
            return BerthConfigResult.Failed(ex.Message);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses a string holding a lone UTF-16 surrogate ("\ud800") when it is read.
            return BerthConfigResult.Failed($"the config file {path} holds a string that is not valid text (a lone \\u surrogate escape)");
        }
    }

    private static string? String(JsonElement parent, string key, string path)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? NonEmpty(value.GetString())
            : throw new InvalidDataException($"the config file {path}: \"{key}\" must be a string");
    }

    private static string Resolve(string kubeconfig, string configPath, Func<string, string?> environment)
    {
        if (kubeconfig.StartsWith("~/", StringComparison.Ordinal) && Home(environment) is { } home)
        {
            return Path.Combine(home, kubeconfig[2..]);
        }

        if (kubeconfig.Contains('\0', StringComparison.Ordinal))
        {
            // Path.GetFullPath throws on it; no file system accepts it.
            throw new InvalidDataException($"the config file {configPath}: \"kubeconfig\" holds a NUL character");
        }

        return Path.IsPathRooted(kubeconfig) ? kubeconfig : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".", kubeconfig));
    }

    private static string? Home(Func<string, string?> environment)
        => NonEmpty(environment("HOME")) ?? NonEmpty(environment("USERPROFILE"));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
