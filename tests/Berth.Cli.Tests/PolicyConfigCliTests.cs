using Berth.Cli.Orchestration;

namespace Berth.Cli.Tests;

/// <summary>
/// The deploy policy from the Berth config file (<c>"policy"</c>, <c>"policyMode"</c>), with <c>--policy</c> and
/// <c>--policy-mode</c> taking precedence each on its own: through <c>berth policy check</c> in-process and
/// <c>berth stack deploy</c> against the in-process test double of the Kubernetes API (not a cluster).
/// </summary>
public sealed class PolicyConfigCliTests() : KubernetesStackCliTest(
    ("compose.yaml", Compose),
    ("config/company.yaml", "version: 1\nname: company\nrules: {allowPrivileged: false}\n"),
    ("config/berth.json", """{"policy": "company.yaml", "policyMode": "warn"}"""),
    ("config/restricted.json", """{"policy": "restricted"}"""),
    ("config/broken.json", """{"policy": "restricted", "policyMode": "audit"}"""))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            privileged: true
        """;

    [Fact]
    public void Reader_ReadsPolicyAndMode_AndRefusesAnUnknownMode()
    {
        var read = BerthConfigReader.Read(name => name == "BERTH_CONFIG" ? Project.PathOf("config/berth.json") : null);
        Assert.Null(read.Error);
        Assert.Equal(("company.yaml", "warn", Project.PathOf("config")), (read.Config.Policy, read.Config.PolicyMode, read.Config.Directory));

        var broken = BerthConfigReader.Read(name => name == "BERTH_CONFIG" ? Project.PathOf("config/broken.json") : null);
        Assert.Equal($"the config file {Project.PathOf("config/broken.json")}: \"policyMode\" must be warn or enforce, not 'audit'", broken.Error);
    }

    [Fact]
    public void PolicyCheck_UsesTheConfigFilesPolicyRelativeToIt_AndEachFlagWins()
    {
        var compose = Project.PathOf("compose.yaml");

        var (fromConfig, configOut, configErr) = Check("config/berth.json", "-c", compose, "-p", "demo");
        Assert.True(fromConfig == ExitCodes.Success, configOut + configErr);
        Assert.Contains($"{compose}:4:5: warning BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of company)", configOut, StringComparison.Ordinal);
        Assert.EndsWith("Policy company (warn): 0 errors, 1 warning (stack demo, 1 service)\n", configOut, StringComparison.Ordinal);

        var (enforced, enforcedOut, _) = Check("config/berth.json", "-c", compose, "-p", "demo", "--policy-mode", "enforce");
        Assert.Equal(ExitCodes.InvalidInput, enforced);
        Assert.EndsWith("Policy company (enforce): 1 error, 0 warnings (stack demo, 1 service)\n", enforcedOut, StringComparison.Ordinal);

        var (flag, flagOut, _) = Check("config/berth.json", "-c", compose, "-p", "demo", "--policy", "privileged");
        Assert.Equal(ExitCodes.Success, flag);
        Assert.Equal("Policy privileged (warn): no violations (stack demo, 1 service)\n", flagOut);
    }

    [Fact]
    public void PolicyCheck_ABrokenConfigFile_IsAUsageError_UnlessBothFlagsAreGiven()
    {
        var compose = Project.PathOf("compose.yaml");

        var (broken, _, brokenErr) = Check("config/broken.json", "-c", compose);
        Assert.Equal(ExitCodes.Usage, broken);
        Assert.StartsWith($"berth policy check: the config file {Project.PathOf("config/broken.json")}: \"policyMode\" must be warn or enforce", brokenErr, StringComparison.Ordinal);

        var (flags, _, flagsErr) = Check("config/broken.json", "-c", compose, "--policy", "baseline", "--policy-mode", "enforce");
        Assert.True(flags == ExitCodes.InvalidInput, flagsErr);
    }

    [Fact]
    public void StackDeploy_TheConfigFilesPolicyDenies_AndTheFlagOverridesIt()
    {
        var compose = Project.PathOf("compose.yaml");

        var (denied, deniedOut, deniedErr) = Deploy("config/restricted.json", "-c", compose);
        Assert.True(denied == ExitCodes.InvalidInput, deniedOut + deniedErr);
        Assert.Contains($"{compose}:4:5: error BP201:", deniedErr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack deploy: stack demo violates policy restricted (4 errors); nothing was changed\n", deniedErr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);

        var (allowed, allowedOut, allowedErr) = Deploy("config/restricted.json", "-c", compose, "--policy", "privileged");
        Assert.True(allowed == ExitCodes.Success, allowedOut + allowedErr);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
    }

    private (int ExitCode, string Stdout, string Stderr) Check(string config, params string[] args)
        => CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_CONFIG"] = Project.PathOf(config), ["HOME"] = Project.Directory }, ["policy", "check", .. args]);

    private (int ExitCode, string Stdout, string Stderr) Deploy(string config, params string[] args)
        => CliRunner.RunWith(
            new Dictionary<string, string> { ["BERTH_CONFIG"] = Project.PathOf(config), ["HOME"] = Project.Directory, ["BERTH_ORCHESTRATOR"] = "kubernetes" },
            ["stack", "deploy", "demo", "--detach", "--kubeconfig", Kubeconfig, .. args]);
}
