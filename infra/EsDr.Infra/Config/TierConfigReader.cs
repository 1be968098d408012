using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>Readers for the database and application keys; the parser calls them.</summary>
internal static class TierConfigReader
{
    private static readonly Dictionary<string, DatabaseEngine> Engines = new()
    {
        ["mariadb"] = DatabaseEngine.MariaDb, ["mysql"] = DatabaseEngine.MySql,
    };

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
        if (!cloudConfig.IsMissing && cloudConfig.IsObject())
        {
            // The renderer concatenates these with its own lists; a scalar there cannot be merged.
            foreach (var key in Renderers.ApplicationCloudInit.MergedLists) cloudConfig.Child(key).MustBeListIfPresent("es-dr adds its items to its own");
            user = cloudConfig.Json as JsonObject;
        }
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
        return new RegionDatabase(n.Child("size").Identifier());
    }

    public static RegionApplication? ReadRegionApplication(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("nodes", "size");
        return new RegionApplication(n.Child("nodes").Int(2), n.Child("size").Identifier());
    }
}
