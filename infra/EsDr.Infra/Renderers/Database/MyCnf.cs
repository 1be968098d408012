using System.Globalization;
using System.Text;

namespace EsDr.Infra.Renderers.Database;

/// <summary>
/// Renders the <c>[mysqld]</c> option file for a primary or a replica, as a drop-in that sorts after
/// the distribution's own (e.g. <c>/etc/mysql/mariadb.conf.d/60-es-dr.cnf</c>, after Debian's
/// <c>50-server.cnf</c> and its <c>bind-address = 127.0.0.1</c>). Settings come in a fixed order
/// (identity, paths, binary log and durability, GTID, role, semi-sync, TLS), one <c>key = value</c> a line.
/// </summary>
/// <remarks>
/// Read-only replicas: MySQL has <c>super_read_only</c>, which also stops SUPER accounts. MariaDB has no
/// such variable; since 10.11 (MDEV-29596) <c>read_only</c> is bypassed only by the READ ONLY ADMIN
/// privilege, no longer by SUPER. Application accounts never hold READ ONLY ADMIN (only
/// <c>ALL PRIVILEGES</c> on <c>*.*</c> includes it), so <c>read_only</c> alone is the MariaDB equivalent.
/// Replication's own threads are exempt in both servers.
/// </remarks>
public static class MyCnf
{
    internal const string Section = "[mysqld]";

    internal const string ServerId = "server_id";
    internal const string BindAddress = "bind_address";
    internal const string Port = "port";
    internal const string DataDir = "datadir";
    internal const string Socket = "socket";
    internal const string PidFile = "pid_file";
    internal const string SkipNameResolve = "skip_name_resolve";
    internal const string LogBin = "log_bin";
    internal const string RelayLog = "relay_log";
    internal const string BinlogFormat = "binlog_format";
    internal const string BinlogExpireSeconds = "binlog_expire_logs_seconds";
    internal const string SyncBinlog = "sync_binlog";
    internal const string FlushLogAtCommit = "innodb_flush_log_at_trx_commit";
    internal const string GtidStrictMode = "gtid_strict_mode";
    internal const string LogSlaveUpdates = "log_slave_updates";
    internal const string GtidMode = "gtid_mode";
    internal const string EnforceGtidConsistency = "enforce_gtid_consistency";
    internal const string LogReplicaUpdates = "log_replica_updates";
    internal const string RelayLogRecovery = "relay_log_recovery";
    internal const string ReadOnly = "read_only";
    internal const string SuperReadOnly = "super_read_only";
    internal const string PluginLoadAdd = "plugin_load_add";
    internal const string SemiSyncMasterEnabled = "rpl_semi_sync_master_enabled";
    internal const string SemiSyncMasterTimeout = "rpl_semi_sync_master_timeout";
    internal const string SemiSyncMasterWaitPoint = "rpl_semi_sync_master_wait_point";
    internal const string SemiSyncSlaveEnabled = "rpl_semi_sync_slave_enabled";
    internal const string SemiSyncSourceEnabled = "rpl_semi_sync_source_enabled";
    internal const string SemiSyncSourceTimeout = "rpl_semi_sync_source_timeout";
    internal const string SemiSyncReplicaEnabled = "rpl_semi_sync_replica_enabled";
    internal const string SslCa = "ssl_ca";
    internal const string SslCert = "ssl_cert";
    internal const string SslKey = "ssl_key";
    internal const string TlsVersion = "tls_version";
    internal const string RequireSecureTransport = "require_secure_transport";

    /// <summary>Relative names live in the datadir; fixed names (not the host name) survive a VM rename.</summary>
    internal const string BinlogBaseName = "mysql-bin";
    internal const string RelayLogBaseName = "relay-bin";

    private const string On = "ON";
    private const string Off = "OFF";

    public static string Render(MySqlServerSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        Validate(s);
        var settings = new List<(string Key, string Value)>();
        settings.AddRange(Identity(s));
        settings.AddRange(BinlogAndDurability(s));
        settings.AddRange(Gtid(s));
        settings.AddRange(Role(s));
        settings.AddRange(SemiSync(s));
        settings.AddRange(Tls(s));

        var text = new StringBuilder().Append(Section).Append('\n');
        foreach (var (key, value) in settings)
        {
            text.Append(key).Append(" = ").Append(value).Append('\n');
        }
        return text.ToString();
    }

    private static IEnumerable<(string, string)> Identity(MySqlServerSettings s)
    {
        yield return (ServerId, Num(s.ServerId));
        yield return (BindAddress, s.BindAddress);
        yield return (Port, Num(s.Port));
        yield return (DataDir, s.DataDir);
        yield return (Socket, s.Socket);
        yield return (PidFile, s.PidFile);
        // Accounts are matched by address only: no DNS lookup on connect, and a DNS outage during a
        // regional failure cannot lock the replica out.
        yield return (SkipNameResolve, On);
    }

    private static IEnumerable<(string, string)> BinlogAndDurability(MySqlServerSettings s)
    {
        // Both roles keep a binary log: the replica must be able to become the primary without a restart.
        yield return (LogBin, BinlogBaseName);
        yield return (RelayLog, RelayLogBaseName);
        // Deprecated (not removed) in MySQL 8.0.34, where ROW is already the default; written so both
        // flavours say the same thing.
        yield return (BinlogFormat, "ROW");
        yield return (BinlogExpireSeconds, Num((long)s.BinlogRetentionHours * 3600));
        // A committed transaction is on disk in both the binary log and InnoDB's redo log, so a crash
        // never loses what a client or the replica already saw.
        yield return (SyncBinlog, "1");
        yield return (FlushLogAtCommit, "1");
    }

    private static IEnumerable<(string, string)> Gtid(MySqlServerSettings s)
    {
        if (s.Flavor == MySqlFlavor.MariaDb)
        {
            // MariaDB always writes GTIDs; strict mode refuses out-of-order or duplicate ones, so an
            // errant local write on the replica stops replication instead of diverging silently.
            yield return (GtidStrictMode, On);
            // The replica's own binary log then holds every transaction, in the primary's GTIDs,
            // which is what lets it be promoted and the old primary rejoin behind it.
            yield return (LogSlaveUpdates, On);
        }
        else
        {
            yield return (GtidMode, On);
            yield return (EnforceGtidConsistency, On);
            yield return (LogReplicaUpdates, On);
            // Crash-safe replica with auto-positioning: relay logs are discarded and refetched after a crash.
            yield return (RelayLogRecovery, On);
        }
    }

    private static IEnumerable<(string, string)> Role(MySqlServerSettings s)
    {
        // Written on the primary too, so a demoted server's file states its role rather than relying on a default.
        var readOnly = s.Role == MySqlRole.Replica ? On : Off;
        yield return (ReadOnly, readOnly);
        if (s.Flavor == MySqlFlavor.MySql)
        {
            yield return (SuperReadOnly, readOnly);
        }
    }

    private static IEnumerable<(string, string)> SemiSync(MySqlServerSettings s)
    {
        if (!s.SemiSync)
        {
            yield break;
        }
        // Only the side that matches the role: a replica with the primary side on and no replica of its
        // own would stall every applied commit for the timeout. Promotion switches the sides.
        var primary = s.Role == MySqlRole.Primary;
        if (s.Flavor == MySqlFlavor.MariaDb)
        {
            // Built into the server since 10.3.3: no plugin to load.
            if (primary)
            {
                yield return (SemiSyncMasterEnabled, On);
                yield return (SemiSyncMasterTimeout, Num(s.SemiSyncTimeoutMs));
                // MariaDB defaults to AFTER_COMMIT, where other sessions can see a transaction the
                // replica does not have yet; AFTER_SYNC (MySQL's default) is the lossless variant.
                yield return (SemiSyncMasterWaitPoint, "AFTER_SYNC");
            }
            else
            {
                yield return (SemiSyncSlaveEnabled, On);
            }
        }
        else if (primary)
        {
            yield return (PluginLoadAdd, "semisync_source.so");
            yield return (SemiSyncSourceEnabled, On);
            yield return (SemiSyncSourceTimeout, Num(s.SemiSyncTimeoutMs));
        }
        else
        {
            yield return (PluginLoadAdd, "semisync_replica.so");
            yield return (SemiSyncReplicaEnabled, On);
        }
    }

    private static IEnumerable<(string, string)> Tls(MySqlServerSettings s)
    {
        yield return (SslCa, s.Tls.CaPath);
        yield return (SslCert, s.Tls.CertificatePath);
        yield return (SslKey, s.Tls.KeyPath);
        yield return (TlsVersion, "TLSv1.2,TLSv1.3");
        yield return (RequireSecureTransport, s.RequireSecureTransport ? On : Off);
    }

    private static void Validate(MySqlServerSettings s)
    {
        ArgumentNullException.ThrowIfNull(s.Tls);
        if (s.ServerId == 0)
        {
            throw new ArgumentException("server_id must be at least 1: a replica with server_id 0 refuses to connect.", nameof(s));
        }
        if (s.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"port must be 1-65535, got {s.Port}.", nameof(s));
        }
        if (s.SemiSyncTimeoutMs < 1)
        {
            throw new ArgumentException($"The semi-sync timeout must be positive, got {s.SemiSyncTimeoutMs} ms.", nameof(s));
        }
        if (s.BinlogRetentionHours < 1)
        {
            throw new ArgumentException($"Binary log retention must be at least an hour, got {s.BinlogRetentionHours}.", nameof(s));
        }
        foreach (var (name, value) in new[]
        {
            (BindAddress, s.BindAddress), (DataDir, s.DataDir), (Socket, s.Socket), (PidFile, s.PidFile),
            (SslCa, s.Tls.CaPath), (SslCert, s.Tls.CertificatePath), (SslKey, s.Tls.KeyPath),
        })
        {
            // One value per line: a line break would smuggle in another option, '#' would cut the value
            // short and surrounding blanks are trimmed by the server.
            if (string.IsNullOrWhiteSpace(value) || value != value.Trim() || value.Any(char.IsControl) || value.Contains('#', StringComparison.Ordinal))
            {
                throw new ArgumentException($"{name} must be a non-empty single-line value without '#' or surrounding blanks, got '{value}'.", nameof(s));
            }
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
