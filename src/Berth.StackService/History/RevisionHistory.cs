using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Output;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Events;

namespace Berth.StackService.History;

/// <summary>
/// Turns a deploy request into a revision record and a stored record back into a deploy request. Orchestrator-neutral:
/// the stores (Swarm configs, Kubernetes Secrets) only keep the encoded bytes.
/// </summary>
internal static class RevisionHistory
{
    public const int DefaultMax = 10;

    /// <summary>
    /// What to store after a successful deploy, decided the same way on every orchestrator: the next revision (unless
    /// nothing changed since the latest one), fitted under the store's <paramref name="limit"/>, and the oldest stored
    /// revisions beyond <see cref="StackDeployRequest.HistoryMax"/>. Null when nothing is to be written (an unchanged
    /// redeploy, or a record too large even without config contents: a warning says so).
    /// </summary>
    public static RevisionPlan? Plan(StackDeployRequest request, StackOrchestrator orchestrator, StackDeployResult result, ImmutableArray<StoredRevision> stored, int limit, IStackEventSink events)
    {
        PendingRevision? add = null;
        if (request.HistoryMax > 0)
        {
            var next = stored.IsEmpty ? 1 : stored[^1].Number + 1;
            var record = Build(request, orchestrator, next, DateTime.UtcNow);
            if (result.Writes == 0 && SameAs(record, stored.IsEmpty ? null : stored[^1].Record))
            {
                return null;
            }

            var (data, kept) = Fit(record, limit);
            if (data is null)
            {
                events.Publish(new StackWarning($"history: revision {next} of stack {request.Stack} was not recorded: {kept.Omitted} and the project alone is still too large"));
                return null;
            }

            if (kept.Omitted is { } omitted)
            {
                events.Publish(new StackWarning($"history: revision {next} keeps no {omitted}; a rollback to it needs the same config files"));
            }

            add = new PendingRevision(next, data, kept);
        }

        // The new revision is the newest, so only stored ones are ever beyond the limit.
        var count = stored.Length + (add is null ? 0 : 1);
        return new RevisionPlan(add, [.. stored.Take(Math.Max(0, count - request.HistoryMax))]);
    }

    /// <summary>The contents conversion reads: the request's own (a rollback's stored configs) or the files and variables now.</summary>
    public static ImmutableDictionary<string, ImmutableArray<byte>> Contents(StackDeployRequest request)
        => request.ResourceContents ?? Berth.Swarm.ResourceContentReader.Read(request.Project);

    public static RevisionRecord Build(StackDeployRequest request, StackOrchestrator orchestrator, int revision, DateTime now)
    {
        var project = request.Project;
        var contents = Contents(request);
        return new RevisionRecord
        {
            Stack = request.Stack,
            Revision = revision,
            Orchestrator = orchestrator.ToString().ToLowerInvariant(),
            DeployedAt = now,
            DeployedBy = Environment.UserName,
            BerthVersion = BerthVersion(),
            Note = request.RevisionNote,
            Sources = [.. project.ComposeFiles.Select(f => new RecordedSource(f, FileHash(f)))],
            Project = new RecordedProject(project.Name, project.WorkingDirectory, project.ComposeFiles, CanonicalYamlWriter.Write(project.Root)),
            Options = new RecordedOptions
            {
                Prune = request.Prune,
                Volumes = request.Volumes,
                ServiceType = request.ServiceType.ToString(),
                NetworkPolicies = request.NetworkPolicies,
            },
            Configs = [.. Resources(project.Configs, contents, keepContent: true)],
            Secrets = [.. Resources(project.Secrets, contents, keepContent: false)],
        };
    }

    /// <summary>
    /// The encoded record, under <paramref name="limit"/> bytes: config contents are dropped first (rollback then
    /// needs the same files again, checked by hash), and null when even that is too large.
    /// </summary>
    public static (byte[]? Data, RevisionRecord Record) Fit(RevisionRecord record, int limit)
    {
        var data = RevisionCodec.Encode(record);
        if (data.Length <= limit)
        {
            return (data, record);
        }

        var slim = record with
        {
            Configs = [.. record.Configs.Select(c => c with { Content = null })],
            Omitted = $"config contents (the record was {data.Length} bytes compressed, over the store's limit of {limit})",
        };
        data = RevisionCodec.Encode(slim);
        return (data.Length <= limit ? data : null, slim);
    }

    /// <summary>True when the record would say nothing the latest one does not (an unchanged redeploy records nothing).</summary>
    public static bool SameAs(RevisionRecord record, RevisionRecord? latest)
        => latest is not null
            && latest.Note is null && record.Note is null
            && latest.Project.Canonical == record.Project.Canonical
            && latest.Options == record.Options
            && latest.Configs.Select(c => c.Sha256).SequenceEqual(record.Configs.Select(c => c.Sha256))
            && latest.Secrets.Select(c => c.Sha256).SequenceEqual(record.Secrets.Select(c => c.Sha256));

    /// <summary>
    /// The request that deploys <paramref name="record"/> again: its project read back from the canonical form, its
    /// options, its config contents; every secret's current content must hash to the recorded hash.
    /// </summary>
    public static StackDeployRequest ToRequest(RevisionRecord record, Func<string, string?> environment)
    {
        var diagnostics = new DiagnosticBag();
        var documents = YamlTreeReader.Read(record.Project.Canonical, $"revision {record.Revision}", LoadLimits.Default, diagnostics);
        if (diagnostics.HasErrors || documents.IsEmpty || documents[0] is not MappingNode root)
        {
            throw new StackHistoryException($"revision {record.Revision} of stack {record.Stack} holds a project this Berth cannot read back", null);
        }

        // Only the variables secrets and configs take content from: the stored project never holds the environment.
        var variables = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var source in record.Secrets.Concat(record.Configs).Select(r => r.Source).Where(s => s.StartsWith(EnvPrefix, StringComparison.Ordinal)))
        {
            if (environment(source[EnvPrefix.Length..]) is { } value)
            {
                variables[source[EnvPrefix.Length..]] = value;
            }
        }

        var project = new ComposeProject(record.Project.Name, record.Project.WorkingDirectory, record.Project.ComposeFiles, root, variables.ToImmutable());
        var contents = Berth.Swarm.ResourceContentReader.Read(project).ToBuilder();
        foreach (var secret in record.Secrets)
        {
            Require(record, "secret", secret, contents);
        }

        foreach (var config in record.Configs)
        {
            if (config.Content is { } stored)
            {
                contents[config.Source] = [.. Convert.FromBase64String(stored)];
            }
            else
            {
                Require(record, "config", config, contents);
            }
        }

        // Prune: the stack goes back to what the revision held, without the objects later deploys added.
        return new StackDeployRequest(record.Stack, project)
        {
            Prune = true,
            Volumes = record.Options.Volumes,
            ServiceType = Enum.TryParse<PublishedServiceType>(record.Options.ServiceType, out var type) ? type : PublishedServiceType.LoadBalancer,
            NetworkPolicies = record.Options.NetworkPolicies,
            ResourceContents = contents.ToImmutable(),
            RevisionNote = $"rollback to {record.Revision.ToString(CultureInfo.InvariantCulture)}",
        };
    }

    private const string EnvPrefix = "env:";

    private static void Require(RevisionRecord record, string kind, RecordedResource resource, IDictionary<string, ImmutableArray<byte>> contents)
    {
        var where = resource.Source.StartsWith(EnvPrefix, StringComparison.Ordinal) ? $"environment variable {resource.Source[EnvPrefix.Length..]}" : resource.Source;
        if (!contents.TryGetValue(resource.Source, out var current) || Hash(current.AsSpan()) != resource.Sha256)
        {
            var state = contents.ContainsKey(resource.Source) ? "has changed since" : "is gone since";
            throw new StackHistoryException(
                $"{kind} {resource.Name}: the content of {where} {state} revision {record.Revision} was deployed (sha256 {resource.Sha256[..12]}); nothing was changed",
                $"restore {where} to the content {kind} {resource.Name} had in revision {record.Revision}, then run rollback again");
        }
    }

    private static IEnumerable<RecordedResource> Resources(MappingNode section, ImmutableDictionary<string, ImmutableArray<byte>> contents, bool keepContent)
    {
        foreach (var entry in section.Entries)
        {
            if (entry.Value is not MappingNode resource)
            {
                continue;
            }

            var source = resource["file"] is ScalarNode { IsNull: false } file ? file.AsString()
                : resource["environment"] is ScalarNode { IsNull: false } variable ? EnvPrefix + variable.AsString()
                : null;

            // External resources and inline content: the canonical project says all there is.
            if (source is null || !contents.TryGetValue(source, out var content))
            {
                continue;
            }

            yield return new RecordedResource(entry.Name, source, Hash(content.AsSpan()))
            {
                Content = keepContent ? Convert.ToBase64String(content.AsSpan()) : null,
            };
        }
    }

    private static string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static string FileHash(string path)
    {
        try
        {
            return File.Exists(path) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static string BerthVersion()
    {
        var version = typeof(RevisionHistory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

        // The build metadata (+commit) is noise in a table; the version is what an upgrade changes.
        return version.Split('+')[0];
    }
}

/// <summary>What a deploy adds to a stack's history and which stored revisions it removes.</summary>
internal sealed record RevisionPlan(PendingRevision? Add, ImmutableArray<StoredRevision> Remove);

/// <summary>A revision to store: its number, the encoded record (under the store's limit) and the record it encodes.</summary>
internal sealed record PendingRevision(int Number, byte[] Data, RevisionRecord Record);
