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
    /// Opens the audit database file (created if missing) for a writer that keeps its own table: write-ahead
    /// log so readers (history) never block a recovery, full sync so a recorded step survives a crash, and a
    /// busy timeout because the audit trail, detection log and plan store share the file.
    /// </summary>
    public static SqliteConnection OpenAuditFile(string auditPath, string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(auditPath);
        var cs = new SqliteConnectionStringBuilder { DataSource = auditPath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(cs.ToString());
        try
        {
            connection.Open();
            connection.Execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
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
}
