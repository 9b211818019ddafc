using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class PortsSyntaxTests
{
    [Fact]
    public void ShortSyntax_ContainerPortOnly_GetsDefaults()
    {
        Assert.Equal(Expect("""
            - mode: ingress
              protocol: tcp
              target: 3000
            - mode: ingress
              protocol: tcp
              target: 8600
            """), Service("ports:\n  - \"3000\"\n  - 8600", "ports"));
    }

    [Fact]
    public void ShortSyntax_HostAndContainer_PublishedIsString()
    {
        Assert.Equal(Expect("""
            - mode: ingress
              protocol: tcp
              published: "8000"
              target: 80
            - mode: ingress
              protocol: udp
              published: "90"
              target: 8090
            """), Service("ports:\n  - \"8000:80\"\n  - \"90:8090/udp\"", "ports"));
    }

    [Fact]
    public void ShortSyntax_HostIp_IsKept()
    {
        Assert.Equal(Expect("""
            - host_ip: 127.0.0.1
              mode: ingress
              protocol: tcp
              published: "8001"
              target: 8001
            """), Service("ports: [\"127.0.0.1:8001:8001\"]", "ports"));
    }

    [Theory]
    [InlineData("::1:6000:6000", "::1", "6000", 6000)]
    [InlineData("[::1]:6001:6001", "::1", "6001", 6001)]
    [InlineData("[2001:db8::1]:80:8080", "2001:db8::1", "80", 8080)]
    public void ShortSyntax_Ipv6HostIp_BracketsRemoved(string spec, string ip, string published, int target)
    {
        Assert.Equal(Expect($"""
            - host_ip: {ip}
              mode: ingress
              protocol: tcp
              published: "{published}"
              target: {target}
            """), Service($"ports: [\"{spec}\"]", "ports"));
    }

    [Fact]
    public void ShortSyntax_EmptyHostPort_IsNotPublished()
    {
        Assert.Equal(Expect("""
            - host_ip: 127.0.0.1
              mode: ingress
              protocol: tcp
              target: 80
            """), Service("ports: [\"127.0.0.1::80\"]", "ports"));
    }

    [Fact]
    public void ShortSyntax_ContainerRange_ExpandsToOneEntryPerPort()
    {
        Assert.Equal(Expect("""
            - mode: ingress
              protocol: tcp
              target: 3001
            - mode: ingress
              protocol: tcp
              target: 3002
            - mode: ingress
              protocol: tcp
              target: 3003
            """), Service("ports: [\"3001-3003\"]", "ports"));
    }

    [Fact]
    public void ShortSyntax_MatchingRanges_PairPortByPort()
    {
        Assert.Equal(Expect("""
            - host_ip: 127.0.0.1
              mode: ingress
              protocol: tcp
              published: "9090"
              target: 8080
            - host_ip: 127.0.0.1
              mode: ingress
              protocol: tcp
              published: "9091"
              target: 8081
            """), Service("ports: [\"127.0.0.1:9090-9091:8080-8081\"]", "ports"));
    }

    [Fact]
    public void ShortSyntax_HostRangeForOnePort_KeepsPublishedRange()
    {
        Assert.Equal(Expect("""
            - mode: ingress
              protocol: tcp
              published: 8000-9000
              target: 80
            """), Service("ports: [\"8000-9000:80\"]", "ports"));
    }

    [Fact]
    public void ShortSyntax_ProtocolIsLowerCased()
    {
        Assert.Contains("protocol: sctp", Service("ports: [\"5000:5000/SCTP\"]", "ports"), StringComparison.Ordinal);
    }

    [Fact]
    public void LongSyntax_GetsDefaultsAndKeepsEverythingElse()
    {
        Assert.Equal(Expect("""
            - app_protocol: http
              mode: ingress
              name: web
              protocol: tcp
              published: "8080"
              target: 80
            - mode: host
              protocol: udp
              published: 8083-9000
              target: 443
            """), Service("""
            ports:
              - name: web
                published: 8080
                target: 80
                app_protocol: http
              - {target: "443", published: "8083-9000", protocol: udp, mode: host}
            """, "ports"));
    }

    [Fact]
    public void LongSyntax_AlreadyCanonical_IsTheSameObject()
    {
        var (document, _) = Canonicalize(WrapService("ports:\n  - {target: 80, published: \"8080\", protocol: tcp, mode: ingress}"));
        var (again, _) = (Berth.Compose.Transform.SyntaxCanonicalizer.Canonicalize(document, new DiagnosticBag()), 0);
        Assert.Same(document, again);
    }

    [Fact]
    public void Entries_KeepTheSourceLocation()
    {
        var (document, _) = Canonicalize(WrapService("ports:\n  - \"8000-8001:80-81\""));
        var ports = (Berth.Compose.Yaml.SequenceNode)Web(document)["ports"]!;
        Assert.All(ports.Items, p => Assert.Equal(new SourceLocation(FileName, 4, 9), p.Location));
        Assert.Equal(new SourceLocation(FileName, 4, 9), ((Berth.Compose.Yaml.MappingNode)ports[1])["target"]!.Location);
    }

    [Theory]
    [InlineData("abc", "'abc' is not a port or port range")]
    [InlineData("80:abc", "'abc' is not a port or port range")]
    [InlineData("70000:80", "'70000' is not a port or port range")]
    [InlineData("8080:80/http", "unknown protocol 'http'")]
    [InlineData("1.2:80:80", "'1.2' is not an IP address")]
    [InlineData("9090-9092:8080-8081", "different sizes")]
    [InlineData("90-80", "'90-80' is not a port or port range")]
    [InlineData("8080:", "no container port given")]
    public void ShortSyntax_Invalid_ReportsBC404WithPathAndHint(string spec, string message)
    {
        var errors = ServiceErrors($"ports:\n  - \"80\"\n  - \"{spec}\"");
        var error = Assert.Single(errors);
        Assert.Equal(DiagnosticCodes.InvalidPort, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("services.web.ports[1]", error.YamlPath);
        Assert.Equal(new SourceLocation(FileName, 5, 9), error.Location);
        Assert.Contains("CONTAINER_PORT", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_KeepsTheEntryAsWritten()
    {
        var (document, _) = Canonicalize(WrapService("ports: [abc, \"80\"]"));
        Assert.Equal(Expect("""
            - abc
            - mode: ingress
              protocol: tcp
              target: 80
            """), Print(Web(document)["ports"]!));
    }

    [Fact]
    public void Tags_AreKeptOnTheList()
    {
        var (document, _) = Canonicalize(WrapService("ports: !override [\"80\"]"));
        Assert.Equal("!override", Web(document)["ports"]!.Tag);
    }

    [Fact]
    public void Expose_ItemsBecomeStrings()
    {
        Assert.Equal(Expect("""
            - "3000"
            - "8000"
            - 9000-9001/udp
            """), Service("expose: [\"3000\", 8000, 9000-9001/udp]", "expose"));
    }
}
