using System.Text.Json.Nodes;

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

/// <summary>
/// The stack-level application settings (<c>es-dr:application</c>). <see cref="CloudConfig"/> is the user's
/// own cloud-config (a map of cloud-init keys) merged into the one the compiler renders for every
/// application server.
/// </summary>
public sealed record ApplicationSettings(
    int Port,
    string HealthPath,
    int PublicPort,
    IReadOnlyList<string> ClientCidrs,
    JsonObject? CloudConfig);

/// <summary>A region's application pool (<c>regions[i].application</c>).</summary>
public sealed record RegionApplication(int Nodes, string Size);

/// <summary>Readers for the database and application keys; the parser calls them.</summary>
internal static class TierConfigReader
{
    private static readonly Dictionary<string, DatabaseEngine> Engines = new()
    {
        ["mariadb"] = DatabaseEngine.MariaDb, ["mysql"] = DatabaseEngine.MySql,
    };

    public static string Spell(DatabaseEngine e) => Engines.First(kv => kv.Value == e).Key;

    public static DatabaseSettings? ReadDatabase(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("engine", "semiSync", "semiSyncTimeoutMs", "binlogRetentionHours");
        return new DatabaseSettings(
            n.Child("engine").Enum(Engines, DatabaseEngine.MariaDb),
            n.Child("semiSync").Bool(false),
            n.Child("semiSyncTimeoutMs").Int(10_000),
            n.Child("binlogRetentionHours").Int(168));
    }

    public static ApplicationSettings? ReadApplication(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("port", "healthPath", "publicPort", "clientCidrs", "cloudConfig");
        var cloudConfig = n.Child("cloudConfig");
        JsonObject? user = null;
        if (!cloudConfig.IsMissing && cloudConfig.IsObject()) user = cloudConfig.Json as JsonObject;
        var clients = n.Child("clientCidrs");
        return new ApplicationSettings(
            n.Child("port").Int(8080),
            n.Child("healthPath").String("/healthz"),
            n.Child("publicPort").Int(80),
            clients.IsMissing ? ["0.0.0.0/0"] : clients.Strings(),
            user);
    }

    public static RegionDatabase? ReadRegionDatabase(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("size");
        return new RegionDatabase(n.Child("size").String());
    }

    public static RegionApplication? ReadRegionApplication(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("nodes", "size");
        return new RegionApplication(n.Child("nodes").Int(2), n.Child("size").String());
    }
}
