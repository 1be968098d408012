namespace EsDr.Recovery.Tests.Execute.Audit;

/// <summary>A fresh directory for one test's audit database, removed afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-audit-").FullName;

    public string Path => System.IO.Path.Combine(dir, "audit.db");

    /// <summary>Every byte SQLite left on disk for this database (main file, WAL, shared memory).</summary>
    public byte[] AllBytes() => Directory.GetFiles(dir).SelectMany(File.ReadAllBytes).ToArray();

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
