namespace Berth.Compose.Diagnostics;

/// <summary>
/// Stable diagnostic codes. BC0xx: reading files and YAML; BC1xx: interpolation and .env;
/// BC2xx: merge, include, extends; BC3xx: schema (BC307: typed values, checked after interpolation); BC4xx: semantic checks; BC5xx: limits.
/// </summary>
public static class DiagnosticCodes
{
    public const string FileNotFound = "BC001";
    public const string FileUnreadable = "BC002";
    public const string YamlSyntax = "BC003";
    public const string DuplicateKey = "BC004";
    public const string NotAMapping = "BC005";
    public const string InvalidMergeKey = "BC006";
    public const string NoComposeFile = "BC007";
    public const string UnknownTag = "BC008";
    public const string EmptyFile = "BC009";

    public const string InterpolationSyntax = "BC101";
    public const string RequiredVariable = "BC102";
    public const string DotEnvSyntax = "BC103";
    public const string UnsetVariable = "BC104";

    public const string ExtendsNotFound = "BC201";
    public const string ExtendsCycle = "BC202";
    public const string IncludeCycle = "BC203";
    public const string IncludeConflict = "BC204";
    public const string InvalidOverride = "BC205";

    public const string SchemaUnknownKey = "BC301";
    public const string SchemaType = "BC302";
    public const string SchemaEnum = "BC303";
    public const string SchemaPattern = "BC304";
    public const string SchemaOther = "BC305";
    public const string SchemaRequired = "BC306";

    /// <summary>An integer, number or boolean that does not parse once interpolated (<c>replicas: two</c>).</summary>
    public const string SchemaValue = "BC307";

    public const string UndefinedReference = "BC401";
    public const string DependencyCycle = "BC402";
    public const string InvalidName = "BC403";
    public const string InvalidPort = "BC404";
    public const string InvalidValue = "BC405";
    public const string MissingImage = "BC406";
    public const string DeprecatedKey = "BC407";
    public const string Conflict = "BC408";

    public const string LimitDocumentSize = "BC501";
    public const string LimitDepth = "BC502";
    public const string LimitAliasExpansion = "BC503";
}
