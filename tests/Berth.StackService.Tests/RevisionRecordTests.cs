using System.IO.Compression;
using System.Text;
using Berth.StackService.History;

namespace Berth.StackService.Tests;

/// <summary>The stored revision format: a record an earlier Berth wrote reads back; a newer format is refused, not misread.</summary>
public sealed class RevisionRecordTests
{
    /// <summary>Format 1 exactly as Berth 0.9 wrote it (a fixed record: changing the reader must keep reading it).</summary>
    private const string Version1Record = """
        {"formatVersion":1,"stack":"shop","revision":3,"orchestrator":"swarm","deployedAt":"2026-11-02T09:15:00Z","deployedBy":"ops","berthVersion":"0.9.0",
         "note":"rollback to 1","sources":[{"path":"/srv/shop/compose.yaml","sha256":"4f2a"}],
         "project":{"name":"shop","workingDirectory":"/srv/shop","composeFiles":["/srv/shop/compose.yaml"],
           "canonical":"name: shop\nservices:\n  web:\n    image: berth-test/busybox:1\n    command:\n      - sleep\n      - \"3600\"\n    configs:\n      - source: motd\nconfigs:\n  motd:\n    file: /srv/shop/motd.txt\n"},
         "options":{"prune":false,"volumes":false,"serviceType":"LoadBalancer","networkPolicies":false},
         "configs":[{"name":"motd","source":"/srv/shop/motd.txt","sha256":"aa","content":"aGVsbG8="}],
         "secrets":[],"futureField":"ignored by this reader"}
        """;

    [Fact]
    public void ARecordWrittenByAnEarlierBerth_ReadsBack_AndBecomesADeployRequestWithTheStoredConfigContent()
    {
        var (record, unreadable) = RevisionCodec.Decode(Gzip(Version1Record));

        Assert.Null(unreadable);
        Assert.NotNull(record);
        var described = RevisionCodec.Describe(record);
        Assert.Equal((3, "ops", "0.9.0", "rollback to 1"), (described.Revision, described.DeployedBy, described.BerthVersion, described.Note));
        Assert.Equal(new DateTime(2026, 11, 2, 9, 15, 0, DateTimeKind.Utc), described.DeployedAt.ToUniversalTime());
        Assert.Equal("/srv/shop/compose.yaml", Assert.Single(described.Sources).Path);

        var request = RevisionHistory.ToRequest(record, _ => null);
        Assert.Equal("shop", request.Stack);
        Assert.Equal(["web"], request.Project.ServiceNames);
        Assert.Equal("rollback to 3", request.RevisionNote);
        Assert.Equal("hello", Encoding.UTF8.GetString([.. request.ResourceContents!["/srv/shop/motd.txt"]]));
    }

    [Fact]
    public void ANewerFormat_IsRefusedClearly_NotMisread()
    {
        var newer = Version1Record.Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal);

        var (record, unreadable) = RevisionCodec.Decode(Gzip(newer));

        Assert.Null(record);
        Assert.Equal("written by a newer Berth (record format 2; this Berth reads up to 1)", unreadable);
        var stored = StoredRevision.From("id", "shop_berth-revision-3", new Dictionary<string, string> { ["berth.io/stack-revision"] = "3" }, Gzip(newer))!;
        Assert.Equal("written by a newer Berth (record format 2; this Berth reads up to 1)", stored.Revision.Unreadable);
        var error = Assert.Throws<StackHistoryException>(() => StoredRevision.Select("shop", [stored], 3, stackExists: true));
        Assert.Equal("revision 3 of stack shop cannot be read: written by a newer Berth (record format 2; this Berth reads up to 1)", error.Message);
    }

    [Fact]
    public void ARoundTrip_KeepsTheCanonicalProject_AndSecretsOnlyByHash()
    {
        var dir = Directory.CreateTempSubdirectory("berth-record-").FullName;
        File.WriteAllText(Path.Combine(dir, "pw.txt"), "hunter2-secret");
        var project = Projects.LoadIn(dir, "shop", """
            services:
              web:
                image: berth-test/busybox:1
                ports: ["8080:80"]
                environment: {A: "1"}
                secrets: [pw]
            secrets:
              pw: {file: ./pw.txt}
            """);
        var record = RevisionHistory.Build(new StackDeployRequest("shop", project), StackOrchestrator.Swarm, 1, DateTime.UtcNow);
        var json = Gunzip(RevisionCodec.Encode(record));

        Assert.DoesNotContain("hunter2-secret", json, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("hunter2-secret"u8), json, StringComparison.Ordinal);
        var back = RevisionHistory.ToRequest(RevisionCodec.Decode(RevisionCodec.Encode(record)).Record!, _ => null);
        Assert.Equal(Berth.Compose.Output.CanonicalYamlWriter.Write(project.Root), Berth.Compose.Output.CanonicalYamlWriter.Write(back.Project.Root));
        Assert.Equal("hunter2-secret", Encoding.UTF8.GetString([.. back.ResourceContents![Path.Combine(dir, "pw.txt")]]));

        File.WriteAllText(Path.Combine(dir, "pw.txt"), "changed");
        var error = Assert.Throws<StackHistoryException>(() => RevisionHistory.ToRequest(record, _ => null));
        Assert.Equal($"secret pw: the content of {Path.Combine(dir, "pw.txt")} has changed since revision 1 was deployed (sha256 {record.Secrets[0].Sha256[..12]}); nothing was changed", error.Message);
        Assert.DoesNotContain("changed\"", error.Message + error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void ARecordOverTheStoreLimit_DropsConfigContentsAndSaysSo()
    {
        var record = RevisionCodec.Decode(Gzip(Version1Record)).Record!;
        var big = record with { Configs = [record.Configs[0] with { Content = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096)) }] };

        var (data, kept) = RevisionHistory.Fit(big, 2048);

        Assert.NotNull(data);
        Assert.True(data.Length <= 2048);
        Assert.Null(Assert.Single(kept.Configs).Content);
        Assert.StartsWith("config contents (the record was ", kept.Omitted, StringComparison.Ordinal);
        Assert.Null(RevisionHistory.Fit(big, 64).Data);
    }

    internal static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionMode.Compress))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static string Gunzip(byte[] data) => KubernetesHistoryTests.Gunzip(data);
}
