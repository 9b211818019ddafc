namespace Berth.Console.State;

/// <summary>
/// Where SQLite and PostgreSQL differ for the console's schema; every query is written once in the SQL both accept
/// (named parameters, 64-bit integers for times and flags).
/// </summary>
internal sealed record SqlDialect(string Name, string IdentityColumn)
{
    public static readonly SqlDialect Sqlite = new("sqlite", "INTEGER PRIMARY KEY AUTOINCREMENT");

    public static readonly SqlDialect PostgreSql = new("postgresql", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
}
