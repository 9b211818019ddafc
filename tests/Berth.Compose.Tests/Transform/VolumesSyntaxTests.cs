using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class VolumesSyntaxTests
{
    [Fact]
    public void Anonymous_HasTargetOnly()
    {
        Assert.Equal(Expect("""
            - target: /var/lib/anonymous
              type: volume
            - target: /a
              type: volume
            """), Service("volumes: [/var/lib/anonymous, /a]", "volumes"));
    }

    [Theory]
    [InlineData("/opt/data:/code", "/opt/data")]
    [InlineData(".:/code", ".")]
    [InlineData("./static:/code", "./static")]
    [InlineData("../up:/code", "../up")]
    [InlineData("~/configs:/code", "~/configs")]
    [InlineData(@"C:\\data:/code", @"C:\data")]
    [InlineData(@"\\\\server\\share:/code", @"\\server\share")]
    public void PathSource_IsBindThatCreatesHostPath(string spec, string source)
    {
        var yaml = Service($"volumes: [\"{spec}\"]", "volumes");
        Assert.Equal(Expect($"""
            - bind:
                create_host_path: true
              source: {source}
              target: /code
              type: bind
            """), yaml);
    }

    [Fact]
    public void NameSource_IsNamedVolume()
    {
        Assert.Equal(Expect("""
            - source: datavolume
              target: /var/lib/volume
              type: volume
            """), Service("volumes: [\"datavolume:/var/lib/volume\"]", "volumes"));
    }

    [Fact]
    public void Modes_MapToLongSyntaxFields()
    {
        Assert.Equal(Expect("""
            - bind:
                create_host_path: true
                propagation: rshared
                selinux: Z
              read_only: true
              source: ./src
              target: /app
              type: bind
            - source: data
              target: /data
              type: volume
              volume:
                nocopy: true
            - bind:
                create_host_path: true
              consistency: cached
              source: /host
              target: /x
              type: bind
            """), Service("volumes: [\"./src:/app:ro,Z,rshared\", \"data:/data:rw,nocopy\", \"/host:/x:cached\"]", "volumes"));
    }

    [Fact]
    public void Target_IsCleaned()
    {
        Assert.Contains("target: /x/z", Service("volumes: [\"data:/x/y/../z/\"]", "volumes"), StringComparison.Ordinal);
    }

    [Fact]
    public void UninterpolatedVariables_KeepTheirColons()
    {
        // As in compose-go, a source starting with '$' is not recognisably a path: a named volume.
        Assert.Equal(Expect("""
            - read_only: true
              source: "${SRC:-./src}"
              target: /app
              type: volume
            """), Service("volumes: [\"${SRC:-./src}:/app:ro\"]", "volumes"));
    }

    [Fact]
    public void LongSyntax_IsLeftAlone()
    {
        var (document, _) = Canonicalize(WrapService("volumes:\n  - {type: bind, source: ./opt, target: /opt, consistency: cached}\n  - {type: tmpfs, target: /t, tmpfs: {size: 10000}}"));
        var again = Berth.Compose.Transform.SyntaxCanonicalizer.Canonicalize(document, new DiagnosticBag());
        Assert.Same(document, again);
    }

    [Theory]
    // Results of docker stack config (docker CLI 28): a colon after a section's single letter is a drive letter, in
    // the source and the target alike; a source with a drive letter is a bind.
    [InlineData(@"C:\Users\data:D:\config:rw", "bind", @"C:\Users\data", @"D:\config", false)]
    [InlineData(@"C:\data:/data:ro", "bind", @"C:\data", "/data", true)]
    [InlineData("c:/data:/data", "bind", "c:/data", "/data", false)]
    [InlineData("C:foo:/data", "bind", "C:foo", "/data", false)]
    [InlineData("\u00e9:/x:/y", "bind", "\u00e9:/x", "/y", false)]
    [InlineData(@"C:\a:D:", "bind", @"C:\a", "D:", false)]
    [InlineData("a:b:c:d", "bind", "a:b", "c:d", false)]
    [InlineData("a::b", "bind", "a:", "b", false)]
    [InlineData(@"data:C:\x", "volume", "data", @"C:\x", false)]
    [InlineData("x:/data", "volume", null, "x:/data", false)]
    [InlineData(@"C:\data", "volume", null, @"C:\data", false)]
    [InlineData("1:/data", "volume", "1", "/data", false)]
    public void WindowsDriveLetters_ParseAsDockerDoes(string spec, string type, string? source, string target, bool readOnly)
    {
        Assert.True(Berth.Compose.Transform.VolumeSyntax.TryParse(spec, out var mount, out var error), error);
        Assert.Equal((type, source, target, readOnly), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
    }

    [Fact]
    public void WindowsBind_InAFile_IsABindOfTheDrivePathLeftAsWritten()
    {
        // The issue's case: BC405 "too many colons" before; docker stack config reads it as this bind.
        Assert.Equal(Expect("""
            - bind:
                create_host_path: true
              source: C:\Users\data
              target: D:\config
              type: bind
            """), Service("volumes: ['C:\\Users\\data:D:\\config:rw']", "volumes"));
    }

    [Theory]
    [InlineData("ab:cd:ef:gh", "too many colons")]
    [InlineData("ab::c", "empty section between colons")]
    [InlineData("", "the volume is empty")]
    [InlineData("./a:/b:rx", "unknown mode 'rx'")]
    public void Invalid_ReportsBC405WithPathAndHint(string spec, string message)
    {
        var error = Assert.Single(ServiceErrors($"volumes:\n  - \"{spec}\""));
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("services.web.volumes[0]", error.YamlPath);
        Assert.Equal(new SourceLocation(FileName, 4, 9), error.Location);
        Assert.Contains("[SOURCE:]TARGET[:MODES]", error.Hint, StringComparison.Ordinal);
    }
}
