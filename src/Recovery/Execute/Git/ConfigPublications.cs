using System.Globalization;
using EsDr.Recovery.Execute.Audit;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Execute.Git;

/// <summary>
/// One recovery's change to the stack file on its way to the repository: the commit that carries it (null until
/// made), how often a push was tried and why the last one failed; <see cref="LandedAt"/> once the remote has it.
/// </summary>
internal sealed record PublicationRecord(
    string RecoveryId, string Kind, string Summary, string? Commit, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? LandedAt)
{
    public bool Landed => LandedAt is not null;

    /// <summary>How <c>history</c> and <c>status</c> word it.</summary>
    public string Describe() => Landed
        ? $"config pushed: commit {Short(Commit)}"
        : $"config not pushed: {LastError ?? "not tried yet"}" + (Attempts > 1 ? $" ({Attempts.ToString(CultureInfo.InvariantCulture)} attempts)" : "");

    private static string Short(string? commit) => commit is null ? "?" : commit[..Math.Min(12, commit.Length)];
}

/// <summary>
/// The <c>config_publications</c> table of the audit database: a row per recovery that changed the stack file,
/// pending until its commit is on the remote. Every process on the same file (operator commands, the daemon) sees
/// the same rows, so whichever runs next retries what is pending. Every text passes the <see cref="Redactor"/>.
/// </summary>
internal sealed class ConfigPublications : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS config_publications (
            recovery_id     TEXT PRIMARY KEY,
            kind            TEXT NOT NULL,
            summary         TEXT NOT NULL,
            commit_id       TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT,
            created_at      TEXT NOT NULL,
            last_attempt_at TEXT,
            landed_at       TEXT
        );
        """;

    private readonly SqliteConnection connection;
    private readonly Redactor redactor;
    private readonly Lock gate = new();

    private ConfigPublications(SqliteConnection connection, Redactor redactor)
    {
        this.connection = connection;
        this.redactor = redactor;
    }

    public static ConfigPublications Open(string auditPath, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        return new(SqliteCommands.OpenAuditFile(auditPath, Schema), redactor);
    }

    /// <summary>A recovery changed the stack file: pending from now on (a second call for the same recovery, a resume, keeps its row).</summary>
    public void Add(string recoveryId, string kind, string summary, DateTimeOffset at) => Write("""
        INSERT INTO config_publications (recovery_id, kind, summary, created_at) VALUES ($id, $kind, $summary, $at)
        ON CONFLICT (recovery_id) DO UPDATE SET landed_at = NULL
        """, ("$id", recoveryId), ("$kind", kind), ("$summary", redactor.Redact(summary)), ("$at", SqliteCommands.Stamp(at)));

    public void Committed(string recoveryId, string commit) =>
        Write("UPDATE config_publications SET commit_id = $commit WHERE recovery_id = $id", ("$id", recoveryId), ("$commit", commit));

    /// <summary>A push attempt failed: counted, with why (credentials in URLs scrubbed, known secrets redacted).</summary>
    public void Failed(string recoveryId, string error, DateTimeOffset at) => Write("""
        UPDATE config_publications SET attempts = attempts + 1, last_error = $error, last_attempt_at = $at WHERE recovery_id = $id
        """, ("$id", recoveryId), ("$error", redactor.Redact(GitProcess.Scrub(error))), ("$at", SqliteCommands.Stamp(at)));

    public void Landed(string recoveryId, string commit, DateTimeOffset at) => Write("""
        UPDATE config_publications SET attempts = attempts + 1, commit_id = $commit, last_error = NULL, last_attempt_at = $at, landed_at = $at
        WHERE recovery_id = $id
        """, ("$id", recoveryId), ("$commit", commit), ("$at", SqliteCommands.Stamp(at)));

    /// <summary>Not yet on the remote, oldest first.</summary>
    public IReadOnlyList<PublicationRecord> Pending() =>
        Query("SELECT * FROM config_publications WHERE landed_at IS NULL ORDER BY created_at, recovery_id");

    public PublicationRecord? Find(string recoveryId) =>
        Query("SELECT * FROM config_publications WHERE recovery_id = $id", ("$id", recoveryId)).SingleOrDefault();

    public void Dispose() => connection.Dispose();

    private void Write(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var command = connection.Command(sql, parameters);
            command.ExecuteNonQuery();
        }
    }

    private List<PublicationRecord> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var command = connection.Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var records = new List<PublicationRecord>();
            while (reader.Read())
            {
                records.Add(new PublicationRecord(
                    reader.GetString(reader.GetOrdinal("recovery_id")),
                    reader.GetString(reader.GetOrdinal("kind")),
                    reader.GetString(reader.GetOrdinal("summary")),
                    Optional(reader, "commit_id"),
                    reader.GetInt32(reader.GetOrdinal("attempts")),
                    Optional(reader, "last_error"),
                    SqliteCommands.ParseStamp(reader.GetString(reader.GetOrdinal("created_at"))),
                    Optional(reader, "last_attempt_at") is { } attempt ? SqliteCommands.ParseStamp(attempt) : null,
                    Optional(reader, "landed_at") is { } landed ? SqliteCommands.ParseStamp(landed) : null));
            }
            return records;
        }
    }

    private static string? Optional(SqliteDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : reader.GetString(i);
    }
}
