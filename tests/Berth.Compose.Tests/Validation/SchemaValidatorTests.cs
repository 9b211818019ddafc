using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Validation;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Validation;

public sealed class SchemaValidatorTests(ITestOutputHelper output)
{
    private static ImmutableArray<Diagnostic> Validate(string yaml)
    {
        var bag = new DiagnosticBag();
        var documents = YamlTreeReader.Read(yaml, "compose.yaml", LoadLimits.Default, bag);
        Assert.False(bag.HasErrors, string.Join('\n', bag.ToImmutable()));
        SchemaValidator.Validate(documents[0], bag);
        return bag.ToImmutable();
    }

    private static Diagnostic Single(string yaml)
    {
        var diagnostics = Validate(yaml);
        return Assert.Single(diagnostics);
    }

    private static void AssertAt(Diagnostic diagnostic, string code, string path, int line, int column)
    {
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(Severity.Error, diagnostic.Severity);
        Assert.Equal(path, diagnostic.YamlPath);
        Assert.Equal(new SourceLocation("compose.yaml", line, column), diagnostic.Location);
    }

    [Fact]
    public void Validate_ValidFile_ReportsNothing()
    {
        var diagnostics = Validate("""
            name: shop
            services:
              web:
                image: nginx:1.27
                ports: ["8080:80", 443, {target: 9000, published: "9000"}]
                environment: [A=1, B]
                depends_on: {db: {condition: service_healthy}}
                deploy: {replicas: 2, resources: {limits: {memory: 512m}}}
                x-custom: {anything: [1, 2]}
              db:
                image: postgres
                healthcheck: {test: [CMD, pg_isready], interval: 10s}
            volumes:
              data:
            x-common: &common {}
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Validate_UnknownServiceKey_PointsAtKeyWithTypoHint()
    {
        var d = Single("""
            services:
              web:
                imagee: nginx
            """);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services.web.imagee", 3, 5);
        Assert.Equal("additional property 'imagee' is not allowed", d.Message);
        Assert.Equal("did you mean 'image'?", d.Hint);
    }

    [Fact]
    public void Validate_UnknownTopLevelKey_SuggestsClosestTopLevelKey()
    {
        var d = Single("""
            version: "3.8"
            servics:
              web:
                image: nginx
            """);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "servics", 2, 1);
        Assert.Equal("additional property 'servics' is not allowed", d.Message);
        Assert.Equal("did you mean 'services'?", d.Hint);
    }

    [Fact]
    public void Validate_UnknownKeyWithoutCloseMatch_SuggestsExtensionPrefix()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                owner: team-a
            """);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services.web.owner", 4, 5);
        Assert.Equal("remove it, or rename it to 'x-owner' to keep it as an extension field", d.Hint);
    }

    [Fact]
    public void Validate_MisspeltKeyIgnoringCase_IsSuggested()
    {
        var d = Single("services:\n  web:\n    Image: nginx\n");
        Assert.Equal("did you mean 'image'?", d.Hint);
    }

    [Fact]
    public void Validate_UnknownKeyWithSlashAndTilde_IsFoundThroughTheEscapedPointer()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    build:\n      context: .\n      a/b~c: 1\n");
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services.web.build.a/b~c", 6, 7);
        Assert.Equal("additional property 'a/b~c' is not allowed", d.Message);
    }

    [Fact]
    public void Validate_InvalidServiceName_ExplainsTheNamePattern()
    {
        var d = Single("""
            services:
              my web:
                image: nginx
            """);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services[\"my web\"]", 2, 3);
        Assert.Equal("names here must match '^[a-zA-Z0-9._-]+$'", d.Hint);
    }

    [Fact]
    public void Validate_WrongScalarType_SaysExpectedAndActual()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                restart: 3
            """);
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web.restart", 4, 14);
        Assert.Equal("must be a string, not an integer", d.Message);
        Assert.Equal("quote it to make it a string: \"3\"", d.Hint);
    }

    [Fact]
    public void Validate_ListWhereMappingExpected_IsATypeError()
    {
        var d = Single("""
            services:
              - web
            """);
        AssertAt(d, DiagnosticCodes.SchemaType, "services", 2, 3);
        Assert.Equal("must be a mapping, not a list", d.Message);
        Assert.Equal("write 'key: value' entries here, not '- item' entries", d.Hint);
    }

    [Fact]
    public void Validate_SingleStringWhereListExpected_SuggestsAList()
    {
        var d = Single("services:\n  web:\n    image: nginx\n    cap_add: NET_ADMIN\n");
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web.cap_add", 4, 14);
        Assert.Equal("must be a list of strings, not a string", d.Message);
        Assert.Equal("write a list, even for one item: [NET_ADMIN]", d.Hint);
    }

    [Fact]
    public void Validate_NullService_SaysHowToDeclareAnEmptyOne()
    {
        var d = Single("services:\n  web:\n");
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web", 2, 7);
        Assert.Equal("must be a mapping, not null", d.Message);
        Assert.Equal("add its settings, indented below it, or write '{}' for none", d.Hint);
    }

    [Fact]
    public void Validate_StringWhereServiceMappingExpected_IsATypeError()
    {
        var d = Single("services:\n  web: nginx\n");
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web", 2, 8);
        Assert.Equal("must be a mapping, not a string", d.Message);
    }

    [Fact]
    public void Validate_MappingWhereListOrMappingAlternativesExpected_CollapsesOneOf()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                environment: 3
            """);
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web.environment", 4, 18);
        Assert.Equal("must be a mapping or a list of strings, not an integer", d.Message);
    }

    [Fact]
    public void Validate_PortOfWrongType_IsOneMessageListingTheForms()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                ports:
                  - 8080:80
                  - true
            """);
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web.ports[1]", 6, 9);
        Assert.Equal("must be a number, a string or a mapping, not a boolean", d.Message);
    }

    [Fact]
    public void Validate_LongSyntaxPortWithUnknownKey_ReportsTheKeyNotTheAlternatives()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                ports:
                  - target: 80
                    publised: 8080
            """);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services.web.ports[0].publised", 6, 9);
        Assert.Equal("did you mean 'published'?", d.Hint);
    }

    [Fact]
    public void Validate_BadEnumValue_ListsAllowedValuesAndSuggests()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                volumes:
                  - type: volumes
                    source: data
                    target: /data
            """);
        AssertAt(d, DiagnosticCodes.SchemaEnum, "services.web.volumes[0].type", 5, 15);
        Assert.Equal("must be one of 'bind', 'volume', 'tmpfs', 'cluster', 'npipe' or 'image', not 'volumes'", d.Message);
        Assert.Equal("did you mean 'volume'?", d.Hint);
    }

    [Fact]
    public void Validate_BadDeployEnum_IsReported()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                deploy:
                  update_config:
                    order: first
            """);
        AssertAt(d, DiagnosticCodes.SchemaEnum, "services.web.deploy.update_config.order", 6, 16);
        Assert.Equal("must be one of 'start-first' or 'stop-first', not 'first'", d.Message);
    }

    [Fact]
    public void Validate_DeployModeAndRestartValues_AreNotSchemaEnums()
    {
        // The Compose schema types these as free strings; their values are checked by the semantic stage.
        var diagnostics = Validate("""
            services:
              web:
                image: nginx
                restart: sometimes
                deploy:
                  mode: bogus
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Validate_BadDependsOnCondition_IsAnEnumError()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                depends_on:
                  db:
                    condition: healthy
              db:
                image: postgres
            """);
        AssertAt(d, DiagnosticCodes.SchemaEnum, "services.web.depends_on.db.condition", 6, 20);
    }

    [Fact]
    public void Validate_PatternMismatch_IsBC304()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                pull_policy: sometimes
            """);
        AssertAt(d, DiagnosticCodes.SchemaPattern, "services.web.pull_policy", 4, 18);
        Assert.StartsWith("'sometimes' does not match the pattern 'always|never|", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingRequiredProperty_IsBC306AtTheMapping()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                ulimits:
                  nofile:
                    soft: 1024
            """);
        AssertAt(d, DiagnosticCodes.SchemaRequired, "services.web.ulimits.nofile", 6, 9);
        Assert.Equal("required property 'hard' is missing", d.Message);
    }

    [Fact]
    public void Validate_DuplicateListItem_PointsAtTheRepeat()
    {
        var d = Single("""
            services:
              web:
                image: nginx
                cap_add: [NET_ADMIN, SYS_TIME, NET_ADMIN]
            """);
        AssertAt(d, DiagnosticCodes.SchemaOther, "services.web.cap_add[2]", 4, 36);
        Assert.Equal("duplicates item [0]; items of this list must be unique", d.Message);
    }

    [Fact]
    public void Validate_SeveralErrors_AreAllReportedOncePerPlace()
    {
        var diagnostics = Validate("""
            services:
              web:
                imagee: nginx
                ports:
                  - true
                restart: 3
              db:
                image: postgres
                enviroment:
                  A: 1
            volumes:
              data:
                driver: 5
            secretz: {}
            """);
        Assert.Equal(
            [
                ("BC301", "services.web.imagee", 3),
                ("BC302", "services.web.ports[0]", 5),
                ("BC302", "services.web.restart", 6),
                ("BC301", "services.db.enviroment", 9),
                ("BC302", "volumes.data.driver", 13),
                ("BC301", "secretz", 14),
            ],
            diagnostics.Select(d => (d.Code, d.YamlPath, d.Location.Line)));
        Assert.Equal("did you mean 'environment'?", diagnostics[3].Hint);
        Assert.Equal("did you mean 'secrets'?", diagnostics[5].Hint);
        Assert.Equal(diagnostics.Length, diagnostics.Select(d => d.YamlPath).Distinct().Count());
    }

    [Fact]
    public void Validate_UninterpolatedVariables_InNumericAndEnumPlaces_AreAccepted()
    {
        // What `--no-interpolate` hands the validator: "${...}" strings where numbers, booleans or enum values go.
        var diagnostics = Validate("""
            services:
              web:
                image: ${IMAGE:-nginx}
                cpus: ${CPUS}
                mem_limit: ${MEM:-512m}
                read_only: ${RO:-false}
                ports: ["${PORT:-80}:80", {target: "${TARGET}", published: "${PUB}"}]
                healthcheck: {retries: "${RETRIES}", interval: "${INTERVAL}"}
                deploy: {replicas: "${N}", update_config: {order: "${ORDER}"}}
                depends_on: {db: {condition: "${COND}"}}
                volumes: [{type: "${TYPE}", source: data, target: /data}]
                ulimits: {nofile: "${NOFILE}"}
            models:
              llm:
                model: ai/model
                context_size: ${CTX}
            """);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Validate_EscapedDollar_IsNotTakenForAVariable()
    {
        var d = Single("models:\n  llm:\n    model: m\n    context_size: $$CTX\n");
        AssertAt(d, DiagnosticCodes.SchemaType, "models.llm.context_size", 4, 19);
        Assert.Equal("must be an integer, not a string", d.Message);
    }

    [Fact]
    public void Validate_VariableWhereMappingExpected_IsStillAnError()
    {
        // Interpolation only ever produces scalars, so a string can never become the mapping required here.
        var d = Single("services:\n  web:\n    image: nginx\n    healthcheck: ${HC}\n");
        AssertAt(d, DiagnosticCodes.SchemaType, "services.web.healthcheck", 4, 18);
    }

    [Fact]
    public void Validate_AnchorsAndMergeKeys_ReportTheMergedKeyWhereItWasWritten()
    {
        var diagnostics = Validate("""
            x-base: &base
              imagee: nginx
            services:
              web:
                <<: *base
            """);
        var d = Assert.Single(diagnostics);
        AssertAt(d, DiagnosticCodes.SchemaUnknownKey, "services.web.imagee", 2, 3);
    }

    [Fact]
    public void Validate_IsSafeToCallConcurrently()
    {
        var yaml = "services:\n  web:\n    imagee: nginx\n";
        var results = new Diagnostic[32];
        Parallel.For(0, results.Length, i => results[i] = Single(yaml));
        Assert.All(results, d => Assert.Equal("services.web.imagee", d.YamlPath));
    }

    [Fact]
    public void Validate_TwoThousandServices_IsFast()
    {
        var yaml = GenerateServices(2000);
        var bag = new DiagnosticBag();
        var document = YamlTreeReader.Read(yaml, "big.yaml", LoadLimits.Default, bag)[0];
        SchemaValidator.Validate(document, bag); // warm-up: schema build and JIT

        var valid = Stopwatch.StartNew();
        SchemaValidator.Validate(document, bag);
        valid.Stop();
        Assert.Empty(bag.ToImmutable());

        var broken = YamlTreeReader.Read(yaml.Replace("    restart: always\n", "    restart: 3\n", StringComparison.Ordinal), "big.yaml", LoadLimits.Default, bag)[0];
        var invalid = Stopwatch.StartNew();
        SchemaValidator.Validate(broken, bag);
        invalid.Stop();
        Assert.Equal(2000, bag.Count);

        var oneBad = YamlTreeReader.Read(yaml.Replace("  svc1234:\n", "  svc1234:\n    imagee: typo\n", StringComparison.Ordinal), "big.yaml", LoadLimits.Default, bag)[0];
        var single = Stopwatch.StartNew();
        SchemaValidator.Validate(oneBad, bag);
        single.Stop();
        Assert.Equal(2001, bag.Count);
        Assert.Equal("services.svc1234.imagee", bag.ToImmutable().Last(d => d.Code == DiagnosticCodes.SchemaUnknownKey).YamlPath);

        output.WriteLine($"2,000 services ({yaml.Length / 1024} KiB): valid file {valid.Elapsed.TotalMilliseconds:F0} ms, "
            + $"one bad service {single.Elapsed.TotalMilliseconds:F0} ms, "
            + $"all 2,000 services bad {invalid.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static string GenerateServices(int count)
    {
        var text = new StringBuilder("name: big\nservices:\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                  svc{{i}}:
                    image: registry.example.com/team/app{{i}}:1.{{i}}
                    restart: always
                    ports: ["{{10000 + i}}:80", {target: 443, published: "{{20000 + i}}"}]
                    environment: {MODE: production, INDEX: {{i}}}
                    depends_on: [svc{{(i + 1) % count}}]
                    volumes: ["./data/{{i}}:/data", {type: volume, source: cache, target: /cache}]
                    healthcheck: {test: [CMD, curl, -f, http://localhost], interval: 10s, retries: 3}
                    deploy: {resources: {limits: {cpus: "0.5", memory: 256m} } }
                    labels: [com.example.index={{i}}]

                """);
        }

        text.Append("volumes:\n  cache: {}\n");
        return text.ToString();
    }
}
