using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>Parameterised commands on the audit database, shared by everything that writes to it.</summary>
internal static class SqliteCommands
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>
    /// Opens the audit database file (created if missing, with its directory) for a writer that keeps its own table:
    /// write-ahead log so readers (history) never block a recovery, full sync so a recorded step survives a crash,
    /// and a busy timeout because the audit trail, detection log, plan store and webhook replay guard share the
    /// file. Whatever makes it unusable (a directory, not a database, corrupt, read-only, not creatable) is thrown
    /// as an <see cref="AuditDatabaseException"/> naming the path and why.
    /// </summary>
    public static SqliteConnection OpenAuditFile(string auditPath, string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(auditPath);
        try
        {
            return Open(auditPath, schema);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw AuditDatabaseException.From(auditPath, e);
        }
    }

    private static SqliteConnection Open(string auditPath, string schema)
    {
        // SQLite would report a directory only as "unable to open database file".
        if (Directory.Exists(auditPath))
            throw new AuditDatabaseException(auditPath, "is a directory; name a file (it is created if missing)");
        var dir = Path.GetDirectoryName(Path.GetFullPath(auditPath));
        if (!string.IsNullOrEmpty(dir))
            Directory.CreateDirectory(dir);
        // No pooling: closing really closes the file (a resumed process, or a reader, sees it whole).
        var cs = new SqliteConnectionStringBuilder { DataSource = auditPath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(cs.ToString());
        try
        {
            connection.Open();
            connection.Execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            // SQLite opens a file it may not write read-only without a word; the first write would fail mid-recovery.
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
                throw new AuditDatabaseException(auditPath, "cannot be written (read-only); fix its permissions or name another file");
            connection.Execute(schema);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static void Execute(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>How every table of the audit database writes a time: ISO 8601 in UTC with a fixed width, so text order is time order.</summary>
    public static string Stamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseStamp(string s) =>
        DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
