using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>
/// The audit database cannot be used: its path and why, in one line an operator can act on. Every SQLite or file
/// error on the audit database is described here, so the commands report them alike (exit
/// <see cref="ExitCodes.AuditDatabaseUnusable"/>).
/// </summary>
internal sealed class AuditDatabaseException : Exception
{
    public AuditDatabaseException(string path, string reason, Exception? inner = null)
        : base($"the audit database {path} {reason}", inner)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>The error <paramref name="error"/> met on the audit database at <paramref name="path"/>, described.</summary>
    public static AuditDatabaseException From(string path, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error as AuditDatabaseException ?? new AuditDatabaseException(path, Reason(path, error), error);
    }

    // SQLite's primary result codes (https://www.sqlite.org/rescode.html); the extended code's low byte is the primary.
    private const int Perm = 3, Busy = 5, ReadOnly = 8, IoErr = 10, Corrupt = 11, Full = 13, CantOpen = 14, NotADb = 26;

    private static string Reason(string path, Exception error) => error switch
    {
        _ when Directory.Exists(path) => "is a directory; name a file (it is created if missing)",
        SqliteException s => (s.SqliteErrorCode & 0xff) switch
        {
            NotADb => "is not an SQLite database (file is not a database); move it aside or name another file",
            Corrupt => "is corrupt (database disk image is malformed); restore it from a backup or name another file",
            ReadOnly or Perm => "cannot be written (read-only); fix its permissions or name another file",
            CantOpen => "cannot be opened or created; check that its directory exists and is writable",
            Full => "cannot be written: the disk is full",
            Busy => "is locked by another process for longer than the busy timeout",
            IoErr => $"cannot be read or written (I/O error: {s.Message})",
            _ => $"cannot be used ({s.Message})",
        },
        UnauthorizedAccessException => "cannot be created: permission denied on its directory",
        IOException io => $"cannot be created ({io.Message})",
        _ => $"cannot be used ({error.Message})",
    };
}
