using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Tests.Renderers.Database;

public class MyCnfTests
{
    private static readonly MySqlTlsFiles Tls = new("/etc/mysql/tls/ca.pem", "/etc/mysql/tls/server.pem", "/etc/mysql/tls/server-key.pem");

    internal static MySqlServerSettings Settings(MySqlRole role, MySqlFlavor flavor, bool semiSync = true) =>
        new(role, role == MySqlRole.Primary ? 1u : 2u, "10.0.0.20", Tls) { Flavor = flavor, SemiSync = semiSync, SemiSyncTimeoutMs = 2500 };

    /// <summary>The option file as key → value, failing on anything that is not one <c>key = value</c> a line under [mysqld].</summary>
    internal static Dictionary<string, string> Parse(string cnf)
    {
        var lines = cnf.Split('\n');
        Assert.Equal("[mysqld]", lines[0]);
        Assert.Equal("", lines[^1]);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines[1..^1])
        {
            var parts = line.Split(" = ");
            Assert.True(parts.Length == 2, $"not a 'key = value' line: '{line}'");
            Assert.True(settings.TryAdd(parts[0], parts[1]), $"{parts[0]} is set twice");
        }
        return settings;
    }

    // Every server, whatever its role or flavour: identity, durability, binary log, TLS.
    public static TheoryData<MySqlRole, MySqlFlavor> AllServers => new()
    {
        { MySqlRole.Primary, MySqlFlavor.MariaDb },
        { MySqlRole.Replica, MySqlFlavor.MariaDb },
        { MySqlRole.Primary, MySqlFlavor.MySql },
        { MySqlRole.Replica, MySqlFlavor.MySql },
    };

    [Theory]
    [MemberData(nameof(AllServers))]
    public void Render_EveryServer_IsDurableReplicableAndTlsOnly(MySqlRole role, MySqlFlavor flavor)
    {
        var cnf = Parse(MyCnf.Render(Settings(role, flavor)));

        Assert.Equal(role == MySqlRole.Primary ? "1" : "2", cnf["server_id"]);
        Assert.Equal("10.0.0.20", cnf["bind_address"]);
        Assert.Equal("3306", cnf["port"]);
        Assert.Equal("/var/lib/mysql", cnf["datadir"]);
        Assert.Equal("/run/mysqld/mysqld.sock", cnf["socket"]);
        Assert.Equal("/run/mysqld/mysqld.pid", cnf["pid_file"]);
        Assert.Equal("ON", cnf["skip_name_resolve"]);
        Assert.Equal("mysql-bin", cnf["log_bin"]);
        Assert.Equal("relay-bin", cnf["relay_log"]);
        Assert.Equal("ROW", cnf["binlog_format"]);
        Assert.Equal("604800", cnf["binlog_expire_logs_seconds"]);
        Assert.Equal("1", cnf["sync_binlog"]);
        Assert.Equal("1", cnf["innodb_flush_log_at_trx_commit"]);
        Assert.Equal(Tls.CaPath, cnf["ssl_ca"]);
        Assert.Equal(Tls.CertificatePath, cnf["ssl_cert"]);
        Assert.Equal(Tls.KeyPath, cnf["ssl_key"]);
        Assert.Equal("TLSv1.2,TLSv1.3", cnf["tls_version"]);
        Assert.Equal("ON", cnf["require_secure_transport"]);
    }

    // Role and flavour specific keys: expected value, or null where the key must be absent (an option
    // the other server does not know stops it from starting).
    public static TheoryData<MySqlRole, MySqlFlavor, string, string?> RoleAndFlavorKeys => new()
    {
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "read_only", "OFF" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "super_read_only", null },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "gtid_strict_mode", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "log_slave_updates", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "gtid_mode", null },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "enforce_gtid_consistency", null },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "plugin_load_add", null },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "rpl_semi_sync_master_enabled", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "rpl_semi_sync_master_timeout", "2500" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "rpl_semi_sync_master_wait_point", "AFTER_SYNC" },
        { MySqlRole.Primary, MySqlFlavor.MariaDb, "rpl_semi_sync_slave_enabled", null },

        { MySqlRole.Replica, MySqlFlavor.MariaDb, "read_only", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "super_read_only", null },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "gtid_strict_mode", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "log_slave_updates", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "rpl_semi_sync_slave_enabled", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "rpl_semi_sync_master_enabled", null },
        { MySqlRole.Replica, MySqlFlavor.MariaDb, "rpl_semi_sync_master_timeout", null },

        { MySqlRole.Primary, MySqlFlavor.MySql, "read_only", "OFF" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "super_read_only", "OFF" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "gtid_mode", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "enforce_gtid_consistency", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "log_replica_updates", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "relay_log_recovery", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "gtid_strict_mode", null },
        { MySqlRole.Primary, MySqlFlavor.MySql, "log_slave_updates", null },
        { MySqlRole.Primary, MySqlFlavor.MySql, "plugin_load_add", "semisync_source.so" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "rpl_semi_sync_source_enabled", "ON" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "rpl_semi_sync_source_timeout", "2500" },
        { MySqlRole.Primary, MySqlFlavor.MySql, "rpl_semi_sync_master_enabled", null },

        { MySqlRole.Replica, MySqlFlavor.MySql, "read_only", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MySql, "super_read_only", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MySql, "gtid_mode", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MySql, "plugin_load_add", "semisync_replica.so" },
        { MySqlRole.Replica, MySqlFlavor.MySql, "rpl_semi_sync_replica_enabled", "ON" },
        { MySqlRole.Replica, MySqlFlavor.MySql, "rpl_semi_sync_source_enabled", null },
        { MySqlRole.Replica, MySqlFlavor.MySql, "rpl_semi_sync_slave_enabled", null },
    };

    [Theory]
    [MemberData(nameof(RoleAndFlavorKeys))]
    public void Render_RoleAndFlavor_SetsExactlyItsOwnKeys(MySqlRole role, MySqlFlavor flavor, string key, string? expected)
    {
        var cnf = Parse(MyCnf.Render(Settings(role, flavor)));

        Assert.Equal(expected, cnf.GetValueOrDefault(key));
    }

    [Theory]
    [MemberData(nameof(AllServers))]
    public void Render_WithoutSemiSync_WritesNoSemiSyncKeyOrPlugin(MySqlRole role, MySqlFlavor flavor)
    {
        var cnf = Parse(MyCnf.Render(Settings(role, flavor, semiSync: false)));

        Assert.DoesNotContain(cnf.Keys, key => key.StartsWith("rpl_semi_sync", StringComparison.Ordinal));
        Assert.DoesNotContain("plugin_load_add", cnf.Keys);
    }

    [Fact]
    public void Render_PulumiReferenceAsBindAddress_IsPlacedVerbatimAndIsTheOnlyInterpolation()
    {
        var text = MyCnf.Render(Settings(MySqlRole.Replica, MySqlFlavor.MariaDb) with { BindAddress = "${ams-db.privateIpAddress}" });

        Assert.Equal("${ams-db.privateIpAddress}", Parse(text)["bind_address"]);
        Assert.Equal(1, text.Split("${").Length - 1);
    }

    [Theory]
    [MemberData(nameof(AllServers))]
    public void Render_NeverInterpolates(MySqlRole role, MySqlFlavor flavor) =>
        Assert.DoesNotContain("${", MyCnf.Render(Settings(role, flavor)), StringComparison.Ordinal);

    [Fact]
    public void Render_CustomPortsPathsAndRetention_AreWritten()
    {
        var cnf = Parse(MyCnf.Render(Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with
        {
            Port = 13306,
            DataDir = "/srv/db",
            Socket = "/srv/db.sock",
            PidFile = "/srv/db.pid",
            RequireSecureTransport = false,
            BinlogRetentionHours = 48,
        }));

        Assert.Equal(("13306", "/srv/db", "/srv/db.sock", "/srv/db.pid", "OFF", "172800"),
            (cnf["port"], cnf["datadir"], cnf["socket"], cnf["pid_file"], cnf["require_secure_transport"], cnf["binlog_expire_logs_seconds"]));
    }

    [Fact]
    public void Render_SameInput_RendersIdenticalText() =>
        Assert.Equal(MyCnf.Render(Settings(MySqlRole.Replica, MySqlFlavor.MySql)), MyCnf.Render(Settings(MySqlRole.Replica, MySqlFlavor.MySql)));

    public static TheoryData<string, MySqlServerSettings> InvalidSettings => new()
    {
        { "server_id 0", Settings(MySqlRole.Replica, MySqlFlavor.MariaDb) with { ServerId = 0 } },
        { "port 0", Settings(MySqlRole.Replica, MySqlFlavor.MariaDb) with { Port = 0 } },
        { "port 65536", Settings(MySqlRole.Replica, MySqlFlavor.MariaDb) with { Port = 65536 } },
        { "semi-sync timeout 0", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { SemiSyncTimeoutMs = 0 } },
        { "retention 0", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { BinlogRetentionHours = 0 } },
        { "empty bind address", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { BindAddress = "" } },
        { "line break smuggles an option", Settings(MySqlRole.Replica, MySqlFlavor.MariaDb) with { DataDir = "/var/lib/mysql\nread_only = OFF" } },
        { "comment cuts the value", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { Socket = "/run/my#sql.sock" } },
        { "surrounding blanks", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { PidFile = " /run/mysqld.pid" } },
        { "key path with a line break", Settings(MySqlRole.Primary, MySqlFlavor.MariaDb) with { Tls = Tls with { KeyPath = "/k.pem\r" } } },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Render_InvalidSettings_AreRefused(string why, MySqlServerSettings settings) =>
        Assert.True(Assert.Throws<ArgumentException>(() => MyCnf.Render(settings)).Message.Length > 0, why);
}
