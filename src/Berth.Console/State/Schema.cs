namespace Berth.Console.State;

/// <summary>
/// The schema as numbered steps; a store applies those it has not recorded in <c>schema_migrations</c>. Steps are
/// only ever added, never edited, so every database reaches the same schema by the same path.
/// </summary>
internal static class Schema
{
    public static IReadOnlyList<(int Version, string Sql)> Steps(SqlDialect dialect) =>
    [
        (1, $"""
            CREATE TABLE accounts (
              name_key TEXT PRIMARY KEY,
              name TEXT NOT NULL,
              role TEXT NOT NULL,
              password_hash TEXT NOT NULL,
              security_stamp TEXT NOT NULL,
              disabled BIGINT NOT NULL DEFAULT 0,
              failed_sign_ins BIGINT NOT NULL DEFAULT 0,
              locked_until BIGINT NULL,
              created_at BIGINT NOT NULL
            );
            CREATE TABLE account_scopes (
              name_key TEXT NOT NULL REFERENCES accounts(name_key) ON DELETE CASCADE,
              kind TEXT NOT NULL,
              value TEXT NOT NULL,
              PRIMARY KEY (name_key, kind, value)
            );
            CREATE TABLE audit_log (
              id {dialect.IdentityColumn},
              at BIGINT NOT NULL,
              actor TEXT NOT NULL,
              action TEXT NOT NULL,
              target TEXT NOT NULL,
              result TEXT NOT NULL,
              detail TEXT NOT NULL
            );
            CREATE INDEX audit_log_at ON audit_log (at);
            """),
        // The Data Protection key ring when the store is shared (PostgreSQL): replicas then read each other's cookies
        // without a shared folder. One XML element per key, as Data Protection's IXmlRepository hands them over.
        (2, """
            CREATE TABLE data_protection_keys (
              name TEXT PRIMARY KEY,
              xml TEXT NOT NULL
            );
            """),
        // What replicas share about deploys: a review made on one is deployed by another, and a deploy's result is
        // read on every one (docs/design/console.md, Drafts and Deploy).
        (3, """
            CREATE TABLE deploy_drafts (
              id TEXT PRIMARY KEY,
              account_key TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              payload TEXT NOT NULL
            );
            CREATE INDEX deploy_drafts_created_at ON deploy_drafts (created_at);
            CREATE TABLE deploy_jobs (
              stack_path TEXT PRIMARY KEY,
              job_id TEXT NOT NULL,
              actor TEXT NOT NULL,
              started_at BIGINT NOT NULL,
              finished_at BIGINT NULL,
              events TEXT NOT NULL
            );
            """),
    ];
}
