using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.StackService.History;

/// <summary>
/// The stored form of a revision, format 1 (docs/design/stack-history.md): JSON, gzip-compressed. Fields are only
/// ever added; a change a reader of this format would misread gets a new <see cref="FormatVersion"/>, which older
/// Berths refuse instead of guessing.
/// </summary>
internal sealed record RevisionRecord
{
    public const int CurrentFormat = 1;

    public int FormatVersion { get; init; } = CurrentFormat;

    public required string Stack { get; init; }

    public required int Revision { get; init; }

    public required string Orchestrator { get; init; }

    public required DateTime DeployedAt { get; init; }

    public required string DeployedBy { get; init; }

    public required string BerthVersion { get; init; }

    public string? Note { get; init; }

    public ImmutableArray<RecordedSource> Sources { get; init; } = [];

    public required RecordedProject Project { get; init; }

    public RecordedOptions Options { get; init; } = new();

    public ImmutableArray<RecordedResource> Configs { get; init; } = [];

    /// <summary>Secrets by hash only: a secret's value is never stored.</summary>
    public ImmutableArray<RecordedResource> Secrets { get; init; } = [];

    public string? Omitted { get; init; }
}

internal sealed record RecordedSource(string Path, string Sha256);

/// <summary><see cref="Canonical"/>: the project as <c>berth config</c> prints it.</summary>
internal sealed record RecordedProject(string Name, string WorkingDirectory, ImmutableArray<string> ComposeFiles, string Canonical);

internal sealed record RecordedOptions
{
    public bool Prune { get; init; }

    public bool Volumes { get; init; }

    public string? ServiceType { get; init; }

    public bool NetworkPolicies { get; init; }
}

/// <summary>
/// A top-level secret or config: its Compose key, where its content came from (a file path or <c>env:VAR</c>, the
/// content readers' key), the sha256 of that content and, for configs only, the content itself (base64).
/// </summary>
internal sealed record RecordedResource(string Name, string Source, string Sha256)
{
    public string? Content { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RevisionRecord))]
[JsonSerializable(typeof(RevisionVersionProbe))]
internal sealed partial class RevisionJsonContext : JsonSerializerContext;

/// <summary>Only the format version, read before anything else so a newer format is refused, not misread.</summary>
internal sealed record RevisionVersionProbe(int FormatVersion);

internal static class RevisionCodec
{
    public static byte[] Encode(RevisionRecord record)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
        {
            JsonSerializer.Serialize(gzip, record, RevisionJsonContext.Default.RevisionRecord);
        }

        return buffer.ToArray();
    }

    /// <summary>The record, or the reason it cannot be read (a newer format, or damaged data).</summary>
    public static (RevisionRecord? Record, string? Unreadable) Decode(IReadOnlyCollection<byte> data)
    {
        byte[] json;
        try
        {
            using var input = new GZipStream(new MemoryStream([.. data]), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            json = output.ToArray();
        }
        catch (InvalidDataException)
        {
            return (null, "not a Berth revision record (not gzip data)");
        }

        try
        {
            var probe = JsonSerializer.Deserialize(json, RevisionJsonContext.Default.RevisionVersionProbe);
            if (probe is null || probe.FormatVersion < 1)
            {
                return (null, "not a Berth revision record (no formatVersion)");
            }

            if (probe.FormatVersion > RevisionRecord.CurrentFormat)
            {
                return (null, $"written by a newer Berth (record format {probe.FormatVersion}; this Berth reads up to {RevisionRecord.CurrentFormat})");
            }

            return (JsonSerializer.Deserialize(json, RevisionJsonContext.Default.RevisionRecord), null);
        }
        catch (JsonException)
        {
            return (null, "not a Berth revision record (invalid JSON)");
        }
    }

    public static StackRevision Describe(RevisionRecord record) => new(record.Revision, record.DeployedAt, record.DeployedBy, record.BerthVersion)
    {
        Sources = [.. record.Sources.Select(s => new StackSourceFile(s.Path, s.Sha256))],
        Note = record.Note,
        Omitted = record.Omitted,
    };
}
