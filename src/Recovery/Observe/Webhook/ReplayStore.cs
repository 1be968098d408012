using System.Globalization;
using EsDr.Recovery.Execute.Audit;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// The replay guard's entries in a <c>webhook_replay</c> table of the audit database (its own table, created on
/// open like the others), so that a restarted receiver still knows which alert instances it passed on and which
/// resolved. Times are UTC ticks: a startsAt read back compares equal to the same startsAt delivered again.
/// </summary>
internal sealed class ReplayStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS webhook_replay (
            fingerprint TEXT PRIMARY KEY,
            starts_at   INTEGER NOT NULL,
            resolved    INTEGER NOT NULL,
            passed_at   INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS webhook_replay_age ON webhook_replay (passed_at, fingerprint);
        """;

    private readonly SqliteConnection connection;

    private ReplayStore(SqliteConnection connection) => this.connection = connection;

    /// <summary>Opens the table in the audit database; an unusable database throws <see cref="AuditDatabaseException"/>.</summary>
    public static ReplayStore Open(string auditPath) => new(SqliteCommands.OpenAuditFile(auditPath, Schema));

    /// <summary>The newest <paramref name="max"/> entries passed on after <paramref name="cutoff"/>.</summary>
    public IReadOnlyList<(string Fingerprint, ReplayEntry Entry)> Load(DateTimeOffset cutoff, int max)
    {
        using var command = connection.Command("""
            SELECT fingerprint, starts_at, resolved, passed_at FROM webhook_replay
            WHERE passed_at > $cutoff ORDER BY passed_at DESC, fingerprint DESC LIMIT $max
            """, ("$cutoff", cutoff.UtcTicks), ("$max", max));
        using var reader = command.ExecuteReader();
        var rows = new List<(string, ReplayEntry)>();
        while (reader.Read())
            rows.Add((reader.GetString(0), new ReplayEntry(Time(reader.GetInt64(1)), reader.GetInt64(2) != 0, Time(reader.GetInt64(3)))));
        return rows;
    }

    /// <summary>
    /// Writes the entries and drops those passed on at or before <paramref name="cutoff"/>, and with
    /// <paramref name="keep"/> all but the newest that many, in one transaction: all of it or, on an error, none.
    /// </summary>
    public void Save(IReadOnlyList<(string Fingerprint, ReplayEntry Entry)> entries, DateTimeOffset cutoff, int? keep)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var transaction = connection.BeginTransaction();
        foreach (var (fingerprint, entry) in entries)
        {
            Run(transaction, """
                INSERT INTO webhook_replay (fingerprint, starts_at, resolved, passed_at) VALUES ($fp, $starts, $resolved, $passed)
                ON CONFLICT (fingerprint) DO UPDATE SET
                    starts_at = excluded.starts_at, resolved = excluded.resolved, passed_at = excluded.passed_at
                """, ("$fp", fingerprint), ("$starts", entry.StartsAt.UtcTicks), ("$resolved", entry.Resolved ? 1 : 0),
                ("$passed", entry.PassedAt.UtcTicks));
        }
        Run(transaction, "DELETE FROM webhook_replay WHERE passed_at <= $cutoff", ("$cutoff", cutoff.UtcTicks));
        if (keep is { } newest)
        {
            Run(transaction, """
                DELETE FROM webhook_replay WHERE fingerprint IN (
                    SELECT fingerprint FROM webhook_replay ORDER BY passed_at DESC, fingerprint DESC LIMIT -1 OFFSET $keep)
                """, ("$keep", newest));
        }
        transaction.Commit();
    }

    /// <summary>Rows in the table (for tests and the benchmark).</summary>
    public long Rows()
    {
        using var command = connection.Command("SELECT count(*) FROM webhook_replay");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => connection.Dispose();

    private void Run(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(sql, parameters);
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static DateTimeOffset Time(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
