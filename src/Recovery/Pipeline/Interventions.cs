using System.Globalization;
using EsDr.Recovery.Execute.Audit;

namespace EsDr.Recovery.Pipeline;

/// <summary>What an operator did to the recovery machinery itself (not to the stack).</summary>
internal enum InterventionKind { Pause, Resume, Acknowledge }

/// <summary>
/// One operator intervention as the audit database keeps it: when, what, on which region (an acknowledgement), the
/// operator's words (<c>--reason</c>, <c>--comment</c>) and who (the login that ran the command).
/// </summary>
internal sealed record Intervention(DateTimeOffset At, InterventionKind Kind, string? Region, string? Text, string By)
{
    /// <summary>The recovery an acknowledgement lifted the block period of; null otherwise.</summary>
    public string? RecoveryId { get; init; }
}

/// <summary>Recoveries are paused: since when, by whom and why (the latest <c>pause</c> not followed by a <c>resume</c>).</summary>
internal sealed record PauseRecord(DateTimeOffset Since, string By, string? Reason)
{
    /// <summary>The guard rail's words.</summary>
    public string Describe() =>
        $"paused by {By} at {Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
        + (Reason is { Length: > 0 } r ? $" ({r})" : "") + "; es-dr-recovery resume lifts it";
}

/// <summary>
/// The operators' interventions, in an <c>interventions</c> table of the audit database, appended and never changed
/// (Orchestrator keeps its acknowledgements in its backend the same way). The pause state is not stored apart: it
/// is the latest pause or resume, so the log and the state cannot disagree. Every process on the file — both daemon
/// replicas, operator commands — reads it where it decides, so a pause or a resume counts at once, and survives
/// restarts.
/// </summary>
internal sealed class Interventions : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS interventions (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          TEXT NOT NULL,
            kind        TEXT NOT NULL,
            region      TEXT,
            recovery_id TEXT,
            text        TEXT,
            by          TEXT NOT NULL
        );
        """;

    private readonly Microsoft.Data.Sqlite.SqliteConnection connection;
    private readonly Lock gate = new();

    private Interventions(Microsoft.Data.Sqlite.SqliteConnection connection) => this.connection = connection;

    public static Interventions Open(string auditPath) => new(SqliteCommands.OpenAuditFile(auditPath, Schema));

    public void Record(Intervention intervention)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        lock (gate)
        {
            using var command = connection.Command("""
                INSERT INTO interventions (at, kind, region, recovery_id, text, by) VALUES ($at, $kind, $region, $recovery, $text, $by)
                """,
                ("$at", SqliteCommands.Stamp(intervention.At)), ("$kind", Name(intervention.Kind)), ("$region", intervention.Region),
                ("$recovery", intervention.RecoveryId), ("$text", intervention.Text), ("$by", intervention.By));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The pause in force, or null when recoveries may run (never paused, or resumed since).</summary>
    public PauseRecord? Paused()
    {
        var latest = Read("SELECT at, kind, region, recovery_id, text, by FROM interventions WHERE kind IN ('pause', 'resume') ORDER BY id DESC LIMIT 1")
            .SingleOrDefault();
        return latest is { Kind: InterventionKind.Pause } p ? new PauseRecord(p.At, p.By, p.Text) : null;
    }

    /// <summary>The latest <paramref name="count"/> interventions, newest first.</summary>
    public IReadOnlyList<Intervention> Recent(int count) =>
        Read("SELECT at, kind, region, recovery_id, text, by FROM interventions ORDER BY id DESC LIMIT $n", ("$n", count));

    public void Dispose() => connection.Dispose();

    private List<Intervention> Read(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var command = connection.Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<Intervention>();
            while (reader.Read())
            {
                rows.Add(new Intervention(SqliteCommands.ParseStamp(reader.GetString(0)), Parse(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5))
                {
                    RecoveryId = reader.IsDBNull(3) ? null : reader.GetString(3),
                });
            }
            return rows;
        }
    }

    public static string Name(InterventionKind kind) => kind switch
    {
        InterventionKind.Pause => "pause",
        InterventionKind.Resume => "resume",
        InterventionKind.Acknowledge => "acknowledge",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static InterventionKind Parse(string name) => name switch
    {
        "pause" => InterventionKind.Pause,
        "resume" => InterventionKind.Resume,
        "acknowledge" => InterventionKind.Acknowledge,
        _ => throw new FormatException($"unknown intervention '{name}' in the audit database"),
    };
}

/// <summary>
/// The pause switch's two sources, read in one place: the pause file (<c>es-dr:recovery.pauseFile</c>, for tooling
/// that can only touch a file) and <c>es-dr-recovery pause</c>, kept in the audit database.
/// </summary>
internal static class PauseState
{
    /// <summary>Why recoveries are paused, or null when they are not.</summary>
    public static string? Reason(string? pauseFile, Interventions interventions)
    {
        ArgumentNullException.ThrowIfNull(interventions);
        if (pauseFile is not null && File.Exists(pauseFile))
            return $"paused: {pauseFile} exists";
        return interventions.Paused()?.Describe();
    }
}
