using EsDr.Recovery.Execute.Audit;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Tests.Execute.Audit;

/// <summary>Each way the audit database can be unusable is said in words an operator can act on, naming the file.</summary>
public sealed class AuditDatabaseExceptionTests
{
    private const string Path = "/var/lib/es-dr/audit.db";

    [Theory]
    [InlineData(26, "is not an SQLite database (file is not a database)")]
    [InlineData(11, "is corrupt (database disk image is malformed)")]
    [InlineData(8, "cannot be written (read-only)")]
    [InlineData(8 | (1 << 8), "cannot be written (read-only)")] // an extended code: SQLITE_READONLY_RECOVERY
    [InlineData(13, "cannot be written: the disk is full")]
    [InlineData(14, "cannot be opened or created")]
    public void SqliteError_IsDescribedByItsPrimaryCode(int code, string reason)
    {
        var described = AuditDatabaseException.From(Path, new SqliteException("SQLite Error", code));

        Assert.StartsWith($"the audit database {Path} {reason}", described.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryWhereTheFileShouldBe_IsSaidToBeADirectory_WhateverSqliteReported()
    {
        var dir = Directory.CreateTempSubdirectory("esdr-audit-dir-");
        try
        {
            var described = AuditDatabaseException.From(dir.FullName, new SqliteException("unable to open database file", 14));

            Assert.Equal($"the audit database {dir.FullName} is a directory; name a file (it is created if missing)", described.Message);
        }
        finally
        {
            dir.Delete();
        }
    }
}
