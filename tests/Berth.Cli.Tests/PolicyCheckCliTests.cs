using System.Text.Json;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth policy check</c> through the real command tree, in-process: every violation with file:line, rule and hint,
/// the exit codes of each mode, the <c>-o json</c> document's shape, unreadable policies (BP1xx) and Compose files.
/// The Berth config file is pointed into the test's folder so a developer's own never applies.
/// </summary>
public sealed class PolicyCheckCliTests : IDisposable
{
    private const string Denied = """
        services:
          web:
            image: nginx:1.27
            privileged: true
            cap_add: [SYS_ADMIN]
          cache:
            image: redis:7
        """;

    private const string Allowed = """
        services:
          web:
            image: nginx:1.27
            user: "101"
            cap_drop: [ALL]
            security_opt: ["no-new-privileges:true"]
        """;

    private readonly TempProject _project = new(
        ("compose.yaml", Denied),
        ("allowed.yaml", Allowed),
        ("override.yaml", "services:\n  cache:\n    pid: host\n"),
        ("broken-policy.yaml", "version: 1\nrules:\n  allowPrivileged: nope\n  allowPrivilegd: false\n"),
        ("scoped.yaml", "version: 1\nprofile: privileged\nscopes:\n  - name: prod\n    namespace: prod\n    profile: baseline\n  - stackPrefix: pay-\n    profile: baseline\n    mode: warn\n"));

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Enforce_PrintsEveryViolationWithItsLine_AndExitsOne()
    {
        var (code, stdout, stderr) = Check("-c", _project.PathOf("compose.yaml"), "-p", "demo", "--policy", "baseline");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        var file = _project.PathOf("compose.yaml");
        Assert.Equal(
            [
                $"{file}:4:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of baseline) [services.web.privileged]",
                "  hint: remove 'privileged: true'; add only the capabilities the service needs with cap_add",
                $"{file}:5:15: error BP208: service 'web' adds capability SYS_ADMIN, which the policy does not allow (rule 'capabilities.allowed' of baseline) [services.web.cap_add[0]]",
                "  hint: add only: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT",
                "Policy baseline (enforce): 2 errors, 0 warnings (stack demo, 2 services)",
            ],
            stdout.TrimEnd('\n').Split('\n'));
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void WarnMode_PrintsTheSameViolationsAsWarnings_AndExitsZero()
    {
        var (code, stdout, stderr) = Check("-c", _project.PathOf("compose.yaml"), "-p", "demo", "--policy", "baseline", "--policy-mode", "warn");

        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains($"{_project.PathOf("compose.yaml")}:4:5: warning BP201:", stdout, StringComparison.Ordinal);
        Assert.Contains(":5:15: warning BP208:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("error BP", stdout, StringComparison.Ordinal);
        Assert.EndsWith("Policy baseline (warn): 0 errors, 2 warnings (stack demo, 2 services)\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedProject_PassesRestricted_AndAFailingOneDoesNotPassPrivilegedOnlyByAccident()
    {
        var (code, stdout, stderr) = Check("-c", _project.PathOf("allowed.yaml"), "--policy", "restricted", "--stack", "shop");
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Equal("Policy restricted (enforce): no violations (stack shop, 1 service)\n", stdout);

        var (privileged, privilegedOut, _) = Check("-c", _project.PathOf("compose.yaml"), "--policy", "privileged");
        Assert.Equal(ExitCodes.Success, privileged);
        Assert.StartsWith("Policy privileged (enforce): no violations", privilegedOut, StringComparison.Ordinal);
    }

    [Fact]
    public void OverrideFiles_AreMerged_AndAViolationPointsIntoTheFileThatWroteIt()
    {
        var (code, stdout, _) = Check("-c", _project.PathOf("compose.yaml"), "-c", _project.PathOf("override.yaml"), "--policy", "baseline");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"{_project.PathOf("override.yaml")}:3:5: error BP202: ", stdout, StringComparison.Ordinal);
        Assert.Contains("3 errors", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_AreChosenByNamespaceAndStackName()
    {
        var policy = _project.PathOf("scoped.yaml");
        var compose = _project.PathOf("compose.yaml");

        var (unscoped, unscopedOut, _) = Check("-c", compose, "--policy", policy, "--stack", "shop");
        var (prod, prodOut, _) = Check("-c", compose, "--policy", policy, "--stack", "shop", "--namespace", "prod");
        var (pay, payOut, _) = Check("-c", compose, "--policy", policy, "--stack", "pay-api");

        Assert.Equal((ExitCodes.Success, ExitCodes.InvalidInput, ExitCodes.Success), (unscoped, prod, pay));
        Assert.StartsWith("Policy scoped.yaml (enforce): no violations (stack shop,", unscopedOut, StringComparison.Ordinal);
        Assert.EndsWith("Policy scoped.yaml scope 'prod' (enforce): 2 errors, 0 warnings (stack shop in namespace prod, 2 services)\n", prodOut, StringComparison.Ordinal);
        Assert.Contains("warning BP201", payOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsOneStableDocument()
    {
        var (code, stdout, stderr) = Check("-c", _project.PathOf("compose.yaml"), "--policy", "baseline", "-o", "json", "--namespace", "shop", "--stack", "demo");

        Assert.True(code == ExitCodes.InvalidInput, stderr);
        Assert.Equal(string.Empty, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(["version", "status", "passed", "policy", "mode", "scope", "errors", "warnings", "diagnostics"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal((1, "violations", false, "baseline", "enforce"), (root.GetProperty("version").GetInt32(), root.GetProperty("status").GetString(), root.GetProperty("passed").GetBoolean(), root.GetProperty("policy").GetString(), root.GetProperty("mode").GetString()));
        Assert.Equal(("shop", "demo"), (root.GetProperty("scope").GetProperty("namespace").GetString(), root.GetProperty("scope").GetProperty("stack").GetString()));
        Assert.Equal((2, 0), (root.GetProperty("errors").GetInt32(), root.GetProperty("warnings").GetInt32()));
        var first = root.GetProperty("diagnostics")[0];
        Assert.Equal(["code", "severity", "message", "file", "line", "column", "path", "hint"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("BP201", "error", _project.PathOf("compose.yaml"), 4, 5, "services.web.privileged"), (first.GetProperty("code").GetString(), first.GetProperty("severity").GetString(), first.GetProperty("file").GetString(), first.GetProperty("line").GetInt32(), first.GetProperty("column").GetInt32(), first.GetProperty("path").GetString()));
        Assert.StartsWith("service 'web' sets 'privileged: true'", first.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("BP208", root.GetProperty("diagnostics")[1].GetProperty("code").GetString());

        var (warn, warnOut, _) = Check("-c", _project.PathOf("compose.yaml"), "--policy", "baseline", "-o", "json", "--policy-mode", "warn");
        using var warned = JsonDocument.Parse(warnOut);
        Assert.Equal((ExitCodes.Success, "passed", true, JsonValueKind.Null, 0, 2), (warn, warned.RootElement.GetProperty("status").GetString(), warned.RootElement.GetProperty("passed").GetBoolean(), warned.RootElement.GetProperty("scope").GetProperty("namespace").ValueKind, warned.RootElement.GetProperty("errors").GetInt32(), warned.RootElement.GetProperty("warnings").GetInt32()));
    }

    [Fact]
    public void APolicyFileWithErrors_GivesItsBp1xxDiagnostics_AndExitsOne()
    {
        var policy = _project.PathOf("broken-policy.yaml");
        var (code, stdout, stderr) = Check("-c", _project.PathOf("compose.yaml"), "--policy", policy);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{policy}:3:20: error BP103:", stderr, StringComparison.Ordinal);
        Assert.Contains($"{policy}:4:3: error BP102:", stderr, StringComparison.Ordinal);
        Assert.Contains("allowPrivileged", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"berth policy check: the policy '{policy}' cannot be read; nothing was checked\n", stderr, StringComparison.Ordinal);

        var (jsonCode, jsonOut, _) = Check("-c", _project.PathOf("compose.yaml"), "--policy", policy, "-o", "json");
        using var json = JsonDocument.Parse(jsonOut);
        Assert.Equal((ExitCodes.InvalidInput, "invalid-policy", JsonValueKind.Null), (jsonCode, json.RootElement.GetProperty("status").GetString(), json.RootElement.GetProperty("mode").ValueKind));
        Assert.Equal(["BP103", "BP102"], json.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("code").GetString()));
    }

    [Fact]
    public void AnUnknownProfileOrMissingFile_IsBp106_AndNoPolicyAtAllIsAUsageError()
    {
        var (unknown, _, unknownErr) = Check("-c", _project.PathOf("compose.yaml"), "--policy", "restricted-ish");
        Assert.Equal(ExitCodes.InvalidInput, unknown);
        Assert.StartsWith("error BP106: 'restricted-ish' is neither a built-in profile nor an existing file\n  hint: pass one of privileged, baseline, restricted, or the path of a policy file\n", unknownErr, StringComparison.Ordinal);

        var (none, noneOut, noneErr) = Check("-c", _project.PathOf("compose.yaml"));
        Assert.Equal(ExitCodes.Usage, none);
        Assert.Equal(string.Empty, noneOut);
        Assert.StartsWith("berth policy check: no policy to check against\nhint: pass --policy", noneErr, StringComparison.Ordinal);

        var (badMode, _, badModeErr) = Check("-c", _project.PathOf("compose.yaml"), "--policy", "baseline", "--policy-mode", "audit");
        Assert.Equal(ExitCodes.Usage, badMode);
        Assert.Contains("audit", badModeErr, StringComparison.Ordinal);
    }

    [Fact]
    public void AComposeFileWithErrors_IsReportedAsTheLoaderDoes_AndExitsOne()
    {
        _project.Write("bad.yaml", "services:\n  web:\n    image: [oops\n");
        var (code, stdout, stderr) = Check("-c", _project.PathOf("bad.yaml"), "--policy", "baseline", "-o", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"{_project.PathOf("bad.yaml")}:", stderr, StringComparison.Ordinal);
        Assert.EndsWith("berth policy check: the Compose file has errors; nothing was checked\n", stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("invalid-project", json.RootElement.GetProperty("status").GetString());
        Assert.NotEqual(0, json.RootElement.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void Help_NamesTheOptions()
    {
        var (code, stdout, _) = Check("--help");

        Assert.Equal(ExitCodes.Success, code);
        foreach (var option in new[] { "--compose-file", "--env-file", "--policy <profile|FILE>", "--policy-mode <warn|enforce>", "--namespace", "--stack", "--output <text|json>" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }

        Assert.Contains("exits 1 on any error", stdout, StringComparison.Ordinal);
    }

    private (int ExitCode, string Stdout, string Stderr) Check(params string[] args)
    {
        var environment = CliRunner.Inherited();
        environment["HOME"] = _project.Directory;
        environment["XDG_CONFIG_HOME"] = _project.PathOf(".config");
        return CliRunner.RunWith(environment, ["policy", "check", .. args]);
    }
}
