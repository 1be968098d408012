using System.Globalization;
using System.Text;

namespace EsDr.Infra.Renderers.Monitoring;

/// <summary>
/// One cluster as the monitoring host reaches it: through its regional endpoint, by a name its TLS
/// certificate carries (<paramref name="TlsName"/>), mapped to <paramref name="Address"/> in /etc/hosts
/// when that name is not in DNS. The exporter logs in as the read-only monitoring user.
/// </summary>
/// <param name="Address">The endpoint's address or DNS name; null when <paramref name="TlsName"/> resolves by itself.</param>
/// <param name="MonitorPassword">The monitoring user's password (usually a Pulumi interpolation); must not contain a line break.</param>
public sealed record MonitoredEndpoint(
    MonitoredCluster Cluster,
    string TlsName,
    string? Address,
    int HttpPort,
    string MonitorUser,
    string MonitorPassword)
{
    public string BaseUrl => $"https://{TlsName}:{HttpPort.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// One MySQL/MariaDB server as the monitoring host reaches it: directly on <paramref name="Port"/> at
/// <paramref name="Address"/>, over TLS verified against the stack CA by <paramref name="TlsName"/> (a DNS name its
/// certificate carries, mapped to the address in /etc/hosts: the certificate is issued before the address exists).
/// Its mysqld_exporter listens on loopback at <paramref name="ExporterPort"/>.
/// </summary>
/// <param name="Role">The role at build time (a label only; the replication alerts select on the series, not on it).</param>
/// <param name="MonitorPassword">The monitoring account's password (usually a Pulumi interpolation); must not contain a line break.</param>
public sealed record MonitoredDatabaseHost(
    string Region,
    DatabaseRole Role,
    string TlsName,
    string Address,
    int Port,
    int ExporterPort,
    string MonitorUser,
    string MonitorPassword)
{
    /// <summary>The scrape target this server becomes.</summary>
    public MonitoredDatabase Target => new(Region, Role, $"127.0.0.1:{ExporterPort.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>Everything the monitoring host's first boot writes.</summary>
/// <param name="WebhookToken">The bearer token (a Pulumi reference to secret config), written to <see cref="MonitoringHost.TokenFile"/> only.</param>
/// <param name="Databases">One mysqld_exporter each; with none the exporter package is not installed.</param>
public sealed record MonitoringHostSettings(
    IReadOnlyList<MonitoredEndpoint> Clusters,
    IReadOnlyList<MonitoredDatabaseHost> Databases,
    AlertThresholds Thresholds,
    string WebhookUrl,
    string WebhookToken,
    string CaCertificateBase64,
    IReadOnlyList<string> SshAuthorizedKeys);

/// <summary>A file of the monitoring host, as cloud-init writes it.</summary>
public sealed record HostFile(string Path, string Content, string Owner = "root:root", string Permissions = "0644", bool Base64 = false);

/// <summary>
/// The monitoring host's files and commands: Debian's Prometheus, Alertmanager and blackbox_exporter
/// packages configured by <see cref="PrometheusConfig"/>, <see cref="AlertRules"/> and
/// <see cref="AlertmanagerConfig"/>, and one elasticsearch_exporter systemd unit per cluster on its own
/// loopback port. Pure: the same settings always give the same files.
/// </summary>
public static class MonitoringHost
{
    public const string PrometheusConfigFile = "/etc/prometheus/prometheus.yml";

    /// <summary>Beside prometheus.yml and named relative to it, so the config can be checked anywhere.</summary>
    public const string RulesFileName = "esdr-rules.yml";
    public const string RulesFile = "/etc/prometheus/" + RulesFileName;

    /// <summary>Where Debian's prometheus-alertmanager reads its config.</summary>
    public const string AlertmanagerConfigFile = "/etc/prometheus/alertmanager.yml";

    /// <summary>Alertmanager's <c>credentials_file</c>: readable by its service user only.</summary>
    public const string TokenFile = "/etc/prometheus/alertmanager-webhook.token";

    /// <summary>Where Debian's prometheus-blackbox-exporter reads its config.</summary>
    public const string BlackboxConfigFile = "/etc/prometheus/blackbox.yml";

    public const string CaFile = "/etc/esdr/es-ca.crt";
    public const string ResolveScript = "/usr/local/sbin/esdr-resolve-endpoints";

    /// <summary>The Debian packages' service user.</summary>
    public const string ServiceOwner = "prometheus:prometheus";

    /// <summary>The packaged exporter's own instance scrapes localhost:9200; each cluster gets a unit of ours instead.</summary>
    internal const string PackagedExporterUnit = "prometheus-elasticsearch-exporter.service";
    internal const string ExporterBinary = "/usr/bin/prometheus-elasticsearch-exporter";

    /// <summary>The packaged mysqld_exporter's own instance reads /etc/default's settings; each database gets a unit of ours instead.</summary>
    internal const string PackagedMysqldExporterUnit = "prometheus-mysqld-exporter.service";
    internal const string MysqldExporterBinary = "/usr/bin/prometheus-mysqld-exporter";
    internal const string HostsMarker = "# esdr-endpoint";

    public static IReadOnlyList<string> Packages(MonitoringHostSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var packages = new List<string> { "prometheus", "prometheus-alertmanager", "prometheus-elasticsearch-exporter", "prometheus-blackbox-exporter" };
        if (s.Databases.Count > 0) packages.Add("prometheus-mysqld-exporter");
        return packages;
    }

    public static string ExporterUnitName(MonitoredCluster cluster) => $"esdr-es-exporter-{cluster.Region}.service";

    public static string ExporterEnvironmentFile(MonitoredCluster cluster) => $"/etc/esdr/es-exporter-{cluster.Region}.env";

    public static string MysqldExporterUnitName(MonitoredDatabaseHost db) => $"esdr-mysqld-exporter-{db.Region}.service";

    /// <summary>The exporter's option file: the only place the monitoring account's password is written.</summary>
    public static string MysqldExporterConfigFile(MonitoredDatabaseHost db) => $"/etc/esdr/mysqld-exporter-{db.Region}.cnf";

    /// <summary>What blackbox_exporter asks each endpoint: the balancers' own health question (yellow or better, with a master).</summary>
    public static string ProbeUrl(MonitoredEndpoint e) =>
        $"{(e ?? throw new ArgumentNullException(nameof(e))).BaseUrl}/_cluster/health?wait_for_status=yellow&timeout=1s";

    public static PrometheusSettings Prometheus(MonitoringHostSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new PrometheusSettings(
            s.Clusters.Select(c => c.Cluster).ToList(),
            s.Databases.Select(d => d.Target).ToList(),
            s.Clusters.Select(c => new ProbeEndpoint(c.Cluster.Region, ProbeUrl(c))).ToList(),
            RulesFileName,
            RecoveryScrape.Beside(s.WebhookUrl));
    }

    public static IReadOnlyList<HostFile> Files(MonitoringHostSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        foreach (var c in s.Clusters)
            if (c.MonitorPassword.AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new ArgumentException($"cluster {c.Cluster.ClusterName}: the monitoring password must be one line", nameof(s));
        foreach (var d in s.Databases)
            if (d.MonitorPassword.AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw new ArgumentException($"database {d.Region}: the monitoring password must be one line", nameof(s));
        var clash = s.Clusters.Select(c => c.Cluster.ExporterPort).Concat(s.Databases.Select(d => d.ExporterPort))
            .GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new ArgumentException($"exporter port {clash.Key.ToString(CultureInfo.InvariantCulture)} is used twice on the monitoring host", nameof(s));

        var files = new List<HostFile>
        {
            new(PrometheusConfigFile, PrometheusConfig.Render(Prometheus(s))),
            new(RulesFile, AlertRules.Render(s.Clusters.Select(c => c.Cluster).ToList(), s.Thresholds)),
            new(AlertmanagerConfigFile, AlertmanagerConfig.Render(new AlertmanagerSettings(s.WebhookUrl, TokenFile))),
            // The token is the only secret Alertmanager holds; only its service user may read it.
            new(TokenFile, s.WebhookToken + "\n", ServiceOwner, "0600"),
            new(BlackboxConfigFile, BlackboxConfig()),
            new(CaFile, s.CaCertificateBase64, Base64: true),
            new(ResolveScript, ResolveEndpoints(
                [.. s.Clusters.Where(c => c.Address is not null).Select(c => (c.Address!, c.TlsName)), .. s.Databases.Select(d => (d.Address, d.TlsName))]),
                Permissions: "0755"),
            new("/etc/systemd/system/esdr-resolve-endpoints.service", ResolveService()),
            new("/etc/systemd/system/esdr-resolve-endpoints.timer", ResolveTimer()),
        };
        foreach (var c in s.Clusters)
        {
            // Read by systemd (as root) before it drops to the service user: the password never sits on a command line.
            files.Add(new(ExporterEnvironmentFile(c.Cluster), $"ES_USERNAME={c.MonitorUser}\nES_PASSWORD={c.MonitorPassword}\n", Permissions: "0600"));
            files.Add(new($"/etc/systemd/system/{ExporterUnitName(c.Cluster)}", ExporterUnit(c)));
        }
        foreach (var d in s.Databases)
        {
            // The exporter reads this itself, as its service user: owned by it, readable by nobody else.
            files.Add(new(MysqldExporterConfigFile(d), MysqldExporterConfig(d), ServiceOwner, "0600"));
            files.Add(new($"/etc/systemd/system/{MysqldExporterUnitName(d)}", MysqldExporterUnit(d)));
        }
        return files;
    }

    public static IReadOnlyList<string> Commands(MonitoringHostSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var units = s.Clusters.Select(c => ExporterUnitName(c.Cluster)).Concat(s.Databases.Select(MysqldExporterUnitName));
        var packaged = s.Databases.Count > 0 ? $"{PackagedExporterUnit} {PackagedMysqldExporterUnit}" : PackagedExporterUnit;
        return
        [
            ResolveScript,
            $"systemctl disable --now {packaged}",
            "systemctl daemon-reload",
            $"systemctl enable --now esdr-resolve-endpoints.timer {string.Join(' ', units)}".TrimEnd(),
            // Never restart on a config the tool rejects: the package's default keeps running instead.
            $"promtool check config {PrometheusConfigFile} && systemctl restart prometheus",
            $"amtool check-config {AlertmanagerConfigFile} && systemctl restart prometheus-alertmanager",
            "systemctl restart prometheus-blackbox-exporter",
        ];
    }

    /// <summary>
    /// One module: HTTPS, 2xx expected, the stack CA trusted. IPv4 only: the balancers have no IPv6 listener.
    /// </summary>
    internal static string BlackboxConfig() => Yaml.Serialize(Yaml.Map(
    [
        Yaml.Entry("modules", Yaml.Map(
        [
            Yaml.Entry("http_2xx", Yaml.Map(
            [
                Yaml.Entry("prober", Yaml.Str("http")),
                Yaml.Entry("timeout", Yaml.Str("5s")),
                Yaml.Entry("http", Yaml.Map(
                [
                    Yaml.Entry("preferred_ip_protocol", Yaml.Str("ip4")),
                    Yaml.Entry("ip_protocol_fallback", Yaml.Bool(false)),
                    Yaml.Entry("fail_if_not_ssl", Yaml.Bool(true)),
                    Yaml.Entry("tls_config", Yaml.Map([Yaml.Entry("ca_file", Yaml.Str(CaFile))])),
                ])),
            ])),
        ])),
    ]));

    /// <summary>
    /// The exporter for one cluster, on loopback only (Prometheus beside it is its only client), verifying the
    /// endpoint against the stack CA. <c>--es.all</c> stays off: through a balancer "all nodes" would be
    /// whichever node answered, and cluster health already carries the node count.
    /// </summary>
    private static string ExporterUnit(MonitoredEndpoint c) => $"""
        [Unit]
        Description=elasticsearch_exporter for {c.Cluster.ClusterName} ({c.Cluster.Region})
        After=network-online.target esdr-resolve-endpoints.service
        Wants=network-online.target

        [Service]
        User=prometheus
        EnvironmentFile={ExporterEnvironmentFile(c.Cluster)}
        ExecStart={ExporterBinary} --web.listen-address=127.0.0.1:{c.Cluster.ExporterPort.ToString(CultureInfo.InvariantCulture)} --es.uri={c.BaseUrl} --es.ca={CaFile} --es.timeout=10s
        Restart=always
        RestartSec=5

        [Install]
        WantedBy=multi-user.target

        """;

    /// <summary>
    /// mysqld_exporter 0.14 (Debian 12) reads its login from the [client] section; <c>ssl-ca</c> turns on TLS
    /// verified against the stack CA, with the host name checked against <see cref="MonitoredDatabaseHost.TlsName"/>.
    /// </summary>
    private static string MysqldExporterConfig(MonitoredDatabaseHost d) => $"""
        [client]
        user={d.MonitorUser}
        password={d.MonitorPassword}
        host={d.TlsName}
        port={d.Port.ToString(CultureInfo.InvariantCulture)}
        ssl-ca={CaFile}

        """;

    /// <summary>The exporter for one database, on loopback only, with the default collectors (replication status among them).</summary>
    private static string MysqldExporterUnit(MonitoredDatabaseHost d) => $"""
        [Unit]
        Description=mysqld_exporter for the {d.Region} database
        After=network-online.target esdr-resolve-endpoints.service
        Wants=network-online.target

        [Service]
        User=prometheus
        ExecStart={MysqldExporterBinary} --web.listen-address=127.0.0.1:{d.ExporterPort.ToString(CultureInfo.InvariantCulture)} --config.my-cnf={MysqldExporterConfigFile(d)}
        Restart=always
        RestartSec=5

        [Install]
        WantedBy=multi-user.target

        """;

    /// <summary>
    /// Keeps one /etc/hosts line per name a certificate carries but DNS does not know: a cluster's name pointing
    /// at its endpoint, a database host's name at its public address. An endpoint known by DNS name (an AWS NLB)
    /// is resolved each time, so a changed balancer address is picked up by the timer.
    /// </summary>
    internal static string ResolveEndpoints(IReadOnlyList<(string Address, string TlsName)> names)
    {
        var script = new StringBuilder("""
            #!/bin/sh
            # Maps certificate names to the regional endpoints and database hosts (written by es-dr; do not edit).
            set -eu
            tmp=$(mktemp)
            grep -v ' # esdr-endpoint$' /etc/hosts > "$tmp" || true
            resolve() {
              case "$1" in
                *[!0-9.]*) getent ahostsv4 "$1" | awk 'NR == 1 { print $1 }' ;;
                *) echo "$1" ;;
              esac
            }

            """);
        foreach (var (address, name) in names)
            script.Append(CultureInfo.InvariantCulture, $"ip=$(resolve '{address}') && [ -n \"$ip\" ] && echo \"$ip {name} {HostsMarker}\" >> \"$tmp\"\n");
        script.Append("cat \"$tmp\" > /etc/hosts\nrm -f \"$tmp\"\n");
        return script.ToString();
    }

    private static string ResolveService() => $"""
        [Unit]
        Description=Map Elasticsearch clusters' certificate names to their endpoints
        After=network-online.target
        Wants=network-online.target

        [Service]
        Type=oneshot
        ExecStart={ResolveScript}

        """;

    private static string ResolveTimer() => """
        [Unit]
        Description=Refresh Elasticsearch endpoint addresses

        [Timer]
        OnBootSec=10s
        OnUnitActiveSec=5min

        [Install]
        WantedBy=timers.target

        """;
}
