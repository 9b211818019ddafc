namespace Berth.Console.Hosting;

/// <summary>berth-console's settings from its command line.</summary>
internal sealed record ConsoleOptions
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Kestrel's listen URLs, separated by ';' as ASP.NET Core's --urls.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Holds console.db (the SQLite store) and the Data Protection keys that sign the cookies.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string: the store shared by several replicas; null: SQLite in the data folder. Holds a password: never print it.</summary>
    public string? Database { get; init; }

    /// <summary>The Kubernetes cluster; null: KUBECONFIG, then ~/.kube/config; no Kubernetes when none is found.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Whether deploys pin images to the registry's digests, as <c>berth stack deploy --resolve-image</c>; null: the orchestrator's default (Swarm always, Kubernetes never).</summary>
    public Berth.Swarm.Apply.ImageResolution? ResolveImage { get; init; }

    /// <summary>
    /// The deploy policy every review, deploy and rollback is held to (<c>--policy</c>, with <c>--policy-mode</c> applied),
    /// as <c>berth stack deploy --policy</c>; null: none (a Kubernetes namespace's Pod Security labels still apply).
    /// </summary>
    public Berth.Policy.Model.DeployPolicy? Policy { get; init; }

    public static string DefaultDataDirectory()
    {
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "berth-console");
    }
}
