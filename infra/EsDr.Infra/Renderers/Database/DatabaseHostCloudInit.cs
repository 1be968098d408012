using YamlDotNet.RepresentationModel;
using Entry = System.Collections.Generic.KeyValuePair<string, YamlDotNet.RepresentationModel.YamlNode>;

namespace EsDr.Infra.Renderers.Database;

/// <summary>
/// What a database VM needs on first boot: the server settings (rendered by <see cref="MyCnf"/>), its TLS files
/// (base64 PEM, usually Pulumi references) and the bootstrap SQL (the accounts, and on a replica the
/// replication source), applied once as root over the socket.
/// </summary>
public sealed record DatabaseHostUserData(
    MySqlServerSettings Server,
    string CaCertificateBase64,
    string CertificateBase64,
    string KeyBase64,
    string BootstrapSql,
    IReadOnlyList<string> SshAuthorizedKeys)
{
    /// <summary>
    /// Where no cloud firewall fronts the host (OVH): each TCP port and its sources, everything else inbound dropped by
    /// nftables on the host itself (<see cref="NftablesRules.OnlyFrom"/>). Null leaves filtering to the cloud.
    /// </summary>
    public IReadOnlyList<(int Port, IReadOnlyList<string> Sources)>? HostFirewall { get; init; }
}

/// <summary>
/// Renders a database VM's #cloud-config: the server package (Debian's MariaDB, or MySQL from Oracle's APT
/// repository), the my.cnf drop-in, TLS files and the bootstrap SQL, then a restart and the SQL. The SQL file
/// holds passwords (Pulumi references resolved at deploy time), so it is root-only and deleted once applied.
/// </summary>
public static class DatabaseHostCloudInit
{
    public const string TlsDir = "/etc/mysql/es-dr";
    public const string CaFile = TlsDir + "/ca.crt";
    public const string CertificateFile = TlsDir + "/server.crt";
    public const string KeyFile = TlsDir + "/server.key";
    public const string BootstrapFile = TlsDir + "/bootstrap.sql";

    /// <summary>Oracle's MySQL APT repository signing key (RPM-GPG-KEY-mysql-2023).</summary>
    internal const string MySqlSigningKey = "BCA43417C3B485DD128EC6D4B7B3B788A8D3785C";

    public static MySqlTlsFiles TlsFiles => new(CaFile, CertificateFile, KeyFile);

    /// <summary>Where each flavour's package reads drop-ins from; 60- sorts after Debian's own 50-server.cnf.</summary>
    public static string ConfigFile(MySqlFlavor flavor) => flavor == MySqlFlavor.MariaDb
        ? "/etc/mysql/mariadb.conf.d/60-es-dr.cnf"
        : "/etc/mysql/mysql.conf.d/60-es-dr.cnf";

    public static string Render(DatabaseHostUserData u)
    {
        ArgumentNullException.ThrowIfNull(u);
        var mariaDb = u.Server.Flavor == MySqlFlavor.MariaDb;
        var service = mariaDb ? "mariadb" : "mysql";
        var client = mariaDb ? "mariadb" : "mysql";
        var package = mariaDb ? "mariadb-server" : "mysql-server";
        var entries = new List<Entry>();
        if (!mariaDb)
        {
            var source = Yaml.Map(
            [
                Yaml.Entry("source", Yaml.Str("deb [signed-by=$KEY_FILE] http://repo.mysql.com/apt/debian bookworm mysql-8.4-lts")),
                Yaml.Entry("keyid", Yaml.Str(MySqlSigningKey)),
                Yaml.Entry("keyserver", Yaml.Str("hkps://keyserver.ubuntu.com")),
            ]);
            entries.Add(Yaml.Entry("bootcmd", Yaml.List([
                "command -v dirmngr >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpg dirmngr; }"])));
            entries.Add(Yaml.Entry("apt", Yaml.Map([Yaml.Entry("sources", Yaml.Map([Yaml.Entry("mysql", source)]))])));
        }
        entries.Add(Yaml.Entry("package_update", Yaml.Bool(true)));
        entries.Add(Yaml.Entry("packages", Yaml.List(u.HostFirewall is null ? new[] { package } : new[] { package, "nftables" })));
        if (u.SshAuthorizedKeys.Count > 0) entries.Add(Yaml.Entry("ssh_authorized_keys", Yaml.List(u.SshAuthorizedKeys)));
        // Deferred: the mysql group and /etc/mysql exist only once the package is installed, and the package
        // must not find (and keep) half a configuration.
        var files = new List<YamlNode>
        {
            File(ConfigFile(u.Server.Flavor), Yaml.Block(MyCnf.Render(u.Server)), null, "root:root", "0644"),
            File(CaFile, Yaml.Str(u.CaCertificateBase64), "b64", "root:mysql", "0644"),
            File(CertificateFile, Yaml.Str(u.CertificateBase64), "b64", "root:mysql", "0644"),
            File(KeyFile, Yaml.Str(u.KeyBase64), "b64", "root:mysql", "0640"),
            File(BootstrapFile, Yaml.Block(u.BootstrapSql), null, "root:root", "0600"),
        };
        var commands = new List<string>
        {
            // Versions change through config (a host rebuild), never from an unattended upgrade.
            $"apt-mark hold {package}",
        };
        if (u.HostFirewall is { } rules)
        {
            // Deferred: the nftables package owns the file. Up before the server restarts on its own settings.
            files.Add(File(NftablesRules.ConfigFile, Yaml.Block(NftablesRules.OnlyFrom(rules)), null, "root:root", "0755"));
            commands.Add($"nft -c -f {NftablesRules.ConfigFile} && systemctl enable nftables && systemctl restart nftables");
        }
        commands.Add($"systemctl restart {service}");
        // Applied once; the file holds passwords, so it goes as soon as it has been applied.
        commands.Add($"{client} --protocol=socket < {BootstrapFile} && shred -u {BootstrapFile}");
        entries.Add(Yaml.Entry("write_files", Yaml.List(files)));
        entries.Add(Yaml.Entry("runcmd", Yaml.List(commands)));
        return CloudInit.Header + Yaml.Serialize(Yaml.Map(entries));
    }

    internal static YamlMappingNode File(string path, YamlNode content, string? encoding, string owner, string permissions)
    {
        var entries = new List<Entry>
        {
            Yaml.Entry("path", Yaml.Str(path)),
            Yaml.Entry("owner", Yaml.Str(owner)),
            Yaml.Entry("permissions", Yaml.Str(permissions)),
        };
        if (encoding is not null) entries.Add(Yaml.Entry("encoding", Yaml.Str(encoding)));
        entries.Add(Yaml.Entry("content", content));
        entries.Add(Yaml.Entry("defer", Yaml.Bool(true)));
        return Yaml.Map(entries);
    }
}
