namespace EsDr.Infra.Config;

/// <summary>Which server the database hosts run (config spelling <c>mariadb</c> or <c>mysql</c>).</summary>
public enum DatabaseEngine { MariaDb, MySql }

/// <summary>
/// The stack-level database settings (<c>es-dr:database</c>): one engine and one replication mode for every
/// database host. Which regions get a host is per region (<see cref="RegionDatabase"/>): the active region's
/// host is the primary, the others replicate from it.
/// </summary>
public sealed record DatabaseSettings(DatabaseEngine Engine, bool SemiSync, int SemiSyncTimeoutMs, int BinlogRetentionHours)
{
    public const int Port = 3306;
}

/// <summary>A region's database host (<c>regions[i].database</c>).</summary>
public sealed record RegionDatabase(string Size);
