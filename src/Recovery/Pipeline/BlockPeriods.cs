using EsDr.Recovery.Execute.Audit;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Pipeline;

/// <summary>The recovery a region's block period runs from, and when: its end, or its start while it has not ended.</summary>
internal sealed record BlockStart(string RecoveryId, DateTimeOffset At);

/// <summary>
/// The anti-flap block periods, in a <c>block_periods</c> table of the audit database: per region, the latest
/// recovery that ran there (its id, when it began and ended) and when an operator acknowledged it. The pipeline
/// reads it on every check, so a restarted daemon, another operator command or another replica on the same file
/// honours a block period started before it, and an acknowledgement lifts it for all of them.
/// </summary>
internal sealed class BlockPeriods : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS block_periods (
            region          TEXT PRIMARY KEY,
            recovery_id     TEXT NOT NULL,
            started_at      TEXT NOT NULL,
            finished_at     TEXT,
            acknowledged_at TEXT
        );
        """;

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private BlockPeriods(SqliteConnection connection) => this.connection = connection;

    public static BlockPeriods Open(string auditPath) => new(SqliteCommands.OpenAuditFile(auditPath, Schema));

    /// <summary>A recovery begins in <paramref name="region"/>: written before its first step, so a crash cannot lose it.</summary>
    public void Begin(string region, string recoveryId, DateTimeOffset at) => Write("""
        INSERT INTO block_periods (region, recovery_id, started_at, finished_at, acknowledged_at)
        VALUES ($region, $id, $at, NULL, NULL)
        ON CONFLICT (region) DO UPDATE SET recovery_id = excluded.recovery_id, started_at = excluded.started_at,
            finished_at = NULL, acknowledged_at = NULL
        """, ("$region", region), ("$id", recoveryId), ("$at", SqliteCommands.Stamp(at)));

    /// <summary>The recovery ended (whatever its outcome): its region's block period runs from <paramref name="at"/>.</summary>
    public void End(string recoveryId, DateTimeOffset at) =>
        Write("UPDATE block_periods SET finished_at = $at WHERE recovery_id = $id", ("$id", recoveryId), ("$at", SqliteCommands.Stamp(at)));

    /// <summary>The region's latest recovery, unless an operator acknowledged it; whether its period has passed is the guard rail's to say.</summary>
    public BlockStart? Latest(string region)
    {
        lock (gate)
        {
            using var command = connection.Command("""
                SELECT recovery_id, COALESCE(finished_at, started_at) FROM block_periods
                WHERE region = $region AND acknowledged_at IS NULL
                """, ("$region", region));
            using var reader = command.ExecuteReader();
            return reader.Read() ? new BlockStart(reader.GetString(0), SqliteCommands.ParseStamp(reader.GetString(1))) : null;
        }
    }

    /// <summary>An operator's acknowledgement: lifts the region's block period for every process. False when there was none.</summary>
    public bool Acknowledge(string region, DateTimeOffset at) =>
        Write("UPDATE block_periods SET acknowledged_at = $at WHERE region = $region AND acknowledged_at IS NULL",
            ("$region", region), ("$at", SqliteCommands.Stamp(at))) > 0;

    public void Dispose() => connection.Dispose();

    private int Write(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var command = connection.Command(sql, parameters);
            return command.ExecuteNonQuery();
        }
    }
}
