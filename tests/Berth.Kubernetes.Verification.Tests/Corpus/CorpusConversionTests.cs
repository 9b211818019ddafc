using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Corpus;

/// <summary>
/// Every Compose file of testdata/corpus that Berth's loader accepts converts without exception, without error
/// diagnostics (except the genuinely unsupported inputs listed below), and every object it emits validates against
/// the Kubernetes 1.36 strict schema of its kind.
/// </summary>
public sealed class CorpusConversionTests
{
    /// <summary>
    /// Corpus files whose conversion must report errors, each error as (code, text its message must contain), with
    /// why the input cannot be converted. A file listed here must report exactly these errors and no other.
    /// </summary>
    private static readonly ImmutableDictionary<string, ((string Code, string Names)[] Errors, string Why)> _unsupportedInputs = new Dictionary<string, ((string, string)[], string)>(StringComparer.Ordinal)
    {
        // The corpus copied only Compose and .env files (awesome-compose/SOURCE.md): the secret files they name are absent,
        // so the right result is BK301 naming the missing file (docker compose fails the same way).
        ["awesome-compose/nginx-aspnet-mysql/compose.yaml"] = ([("BK301", "nginx-aspnet-mysql/db/password.txt")], "db/password.txt was not copied into the corpus"),
        ["awesome-compose/nginx-flask-mysql/compose.yaml"] = ([("BK301", "nginx-flask-mysql/db/password.txt")], "db/password.txt was not copied into the corpus"),
        ["awesome-compose/nginx-golang-postgres/compose.yaml"] = ([("BK301", "nginx-golang-postgres/db/password.txt")], "db/password.txt was not copied into the corpus"),
        ["awesome-compose/react-java-mysql/compose.yaml"] = ([("BK301", "react-java-mysql/db/password.txt")], "db/password.txt was not copied into the corpus"),

        // compose-go's loader tests load these snippets with SkipNormalization and never read the files they name.
        ["compose-go/attribute-snippets/build__TestBuildSecrets.yaml"] = ([("BK301", "attribute-snippets/secret_data")], "./secret_data does not exist (the snippet was never meant to be deployed)"),
        ["compose-go/attribute-snippets/configs__TestServiceConfigs.yaml"] = ([("BK301", "attribute-snippets/config_data")], "./config_data does not exist"),
        ["compose-go/attribute-snippets/configs__TestTopLevelConfigs.yaml"] = ([("BK301", "attribute-snippets/config_data"), ("BK301", "attribute-snippets/config_data")], "./config_data (used by config1 and config4) does not exist"),
        ["compose-go/attribute-snippets/secrets__TestServiceSecrets.yaml"] = ([("BK301", "attribute-snippets/secret_data")], "./secret_data does not exist"),
        ["compose-go/attribute-snippets/secrets__TestTopLevelSecrets.yaml"] = ([("BK301", "attribute-snippets/secret_data"), ("BK301", "'/abs/secret_data'")], "./secret_data and /abs/secret_data do not exist"),

        // Content from environment variables the corpus environment (Conversion.CorpusEnvironment) does not set;
        // compose-go's tests set them. A secret with no value cannot be created: BK301 names the variable.
        ["compose-go/attribute-snippets/secrets__TestSecretEnvironmentResolution.yaml"] = ([("BK301", "variable 'GA'"), ("BK301", "variable 'MEU'")], "GA and MEU are not set"),
        ["compose-go/attribute-snippets/template_driver__TestConfigEnvironment.yaml"] = ([("BK301", "variable 'MY_VAR'")], "MY_VAR is not set"),

        // A Swarm secret driver (plugin) produces the value on the node; Kubernetes has no such mechanism.
        ["compose-go/attribute-snippets/template_driver__TestSecretDriver.yaml"] = ([("BK301", "driver 'secret-bucket'")], "secret content comes from a Swarm secret driver"),

        // An existing Secret is referenced by name, and `my_other_secret` cannot be the name of a Kubernetes Secret
        // (DNS-1123), so the pod could never start. (The unused one in secrets-long is only a warning.)
        ["kompose/secrets/docker-compose-secrets-short.yml"] = ([("BK102", "'my_other_secret'")], "redis uses external secret my_other_secret, a name no Kubernetes Secret can have"),
    }.ToImmutableDictionary();

    private static readonly Lazy<ImmutableArray<string>> _accepted = new(() =>
        [.. ComposeFiles().Where(f => Conversion.Load(f).Succeeded).Select(f => Path.GetRelativePath(TestPaths.Corpus, f))]);

    public static TheoryData<string> AcceptedFiles() => [.. _accepted.Value];

    [Fact]
    public void Corpus_HasEnoughAcceptedFilesToMeanSomething()
        => Assert.True(_accepted.Value.Length >= 100, $"only {_accepted.Value.Length} corpus files load: is testdata/corpus complete?");

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Convert_CorpusFile_NoErrorAndEveryObjectValidates(string relativePath)
    {
        var (plan, objects) = Conversion.Convert(Conversion.Load(Path.Combine(TestPaths.Corpus, relativePath)));
        var errors = plan.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();

        if (_unsupportedInputs.TryGetValue(relativePath, out var expected))
        {
            // Each expected error consumes one actual error; nothing may be left over on either side.
            var unmatched = errors.ToList();
            foreach (var (code, names) in expected.Errors)
            {
                var match = unmatched.FirstOrDefault(d => d.Code == code && d.Message.Contains(names, StringComparison.Ordinal));
                Assert.True(match is not null, $"{relativePath} ({expected.Why}): no {code} error naming {names}; errors:\n{string.Join('\n', errors)}");
                unmatched.Remove(match);
            }

            Assert.True(unmatched.Count == 0, $"{relativePath}: unexpected error(s):\n{string.Join('\n', unmatched)}");
        }
        else
        {
            Assert.True(errors.Count == 0, $"{relativePath}:\n{string.Join('\n', errors)}");
        }

        Assert.Equal(plan.Objects.Length, objects.Count);
        var violations = objects.SelectMany(KubernetesSchemaValidator.Shared.Validate).ToList();
        Assert.True(violations.Count == 0, $"{relativePath}: {violations.Count} schema violation(s):\n{string.Join('\n', violations)}");
    }

    [Fact]
    public void UnsupportedInputs_AreAllInTheCorpus()
    {
        Assert.All(_unsupportedInputs.Keys, k => Assert.Contains(k, _accepted.Value));
    }

    private static IEnumerable<string> ComposeFiles()
        => Directory.EnumerateFiles(TestPaths.Corpus, "*.*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".yml")
            .Where(f => !Path.GetFileName(f).StartsWith("output", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("expected", StringComparison.Ordinal))
            .Where(f => !f.Contains("/provider-files/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
