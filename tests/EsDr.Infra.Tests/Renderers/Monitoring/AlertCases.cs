using EsDr.Infra.Renderers.Monitoring;
using static EsDr.Infra.Renderers.Monitoring.AlertRules;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

/// <summary>A scraped series: metric name, its labels, and promtool's expanding notation ("0 1x5").</summary>
internal sealed record Series(string Metric, IReadOnlyDictionary<string, string> Labels, string Values);

/// <summary>An alert expected to fire: the series' labels (without the name), its severity, and <c>$value</c>.</summary>
internal sealed record Fired(IReadOnlyDictionary<string, string> Labels, string Severity, string Value);

/// <summary>One promtool alert_rule_test: given these series, at EvalTime, exactly Expected fire.</summary>
internal sealed record AlertCase(string Alert, string EvalTime, Series[] Input, Fired[] Expected)
{
    public bool Fires => Expected.Length > 0;
}

/// <summary>
/// Every alert's firing and silent cases, written against <see cref="MonitoringSamples.Thresholds"/>
/// (red 2m, yellow 30m, nodes 5m, CCR lag 1000 ops for 5m, CCR fatal 1m, replica lag 30s for 2m,
/// replica threads 1m, probe 1m). Series use a 1m interval, so "1x5" is six samples at 0m…5m.
/// </summary>
internal static class AlertCases
{
    // Labels as Prometheus attaches them to each job's targets (see PrometheusConfig).
    private static Dictionary<string, string> EsTarget(string region, int expected, string port) => new()
    {
        ["job"] = "elasticsearch",
        ["instance"] = "127.0.0.1:" + port,
        ["region"] = region,
        ["cluster"] = region + "-es",
        ["expected_nodes"] = expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// A cluster's series as Prometheus stores them: the target's labels, the exporter's own <c>cluster</c> (the name
    /// Elasticsearch reports, the same) honoured in place of the target's, so no <c>exported_cluster</c>.
    /// </summary>
    private static Dictionary<string, string> Es(string region, int expected, string port) =>
        new(EsTarget(region, expected, port)) { ["cluster"] = region + "-es" };

    private static Dictionary<string, string> Fra => Es("fra", 3, "9114");
    private static Dictionary<string, string> Ams => Es("ams", 5, "9116");
    private static Dictionary<string, string> Lon => Es("lon", 3, "9117");

    private static Dictionary<string, string> Colour(Dictionary<string, string> target, string colour) =>
        new(target) { ["color"] = colour };

    /// <summary>The recovery program's CCR series for the follower cluster ams-es.</summary>
    private static Dictionary<string, string> FollowerCluster => new()
    {
        ["job"] = "esdr_recovery",
        ["instance"] = "recovery.example.com:443",
        ["region"] = "ams",
        ["cluster"] = "ams-es",
    };

    private static Dictionary<string, string> Follower(string index) => new(FollowerCluster) { ["follower_index"] = index };

    /// <summary>The replica's target labels: what <c>up</c> and <c>mysql_up</c> carry.</summary>
    private static Dictionary<string, string> ReplicaTarget => new()
    {
        ["job"] = "mysqld",
        ["instance"] = "10.1.0.20:9104",
        ["region"] = "ams",
        ["role"] = "replica",
    };

    private static Dictionary<string, string> PrimaryTarget => new()
    {
        ["job"] = "mysqld",
        ["instance"] = "10.0.0.20:9104",
        ["region"] = "fra",
        ["role"] = "primary",
    };

    /// <summary>The replica's replication status series, which also name the primary.</summary>
    private static Dictionary<string, string> Replica => new(ReplicaTarget) { ["master_host"] = "10.0.0.20" };

    private static Dictionary<string, string> Probe(string region, string url) => new()
    {
        ["job"] = "blackbox",
        ["instance"] = url,
        ["region"] = region,
    };

    private const string FraSearch = "https://search-fra.example.com:9200/_cluster/health?wait_for_status=yellow&timeout=1s";
    private const string AmsSearch = "https://search-ams.example.com:9200/_cluster/health?wait_for_status=yellow&timeout=1s";

    private const string Health = "elasticsearch_cluster_health_status";
    private const string Nodes = "elasticsearch_cluster_health_number_of_nodes";

    /// <summary>fra's three colour series plus a green ams, so the alert must pick the right one.</summary>
    private static Series[] Colours(string red, string yellow, string green) =>
    [
        new(Health, Colour(Fra, "red"), red),
        new(Health, Colour(Fra, "yellow"), yellow),
        new(Health, Colour(Fra, "green"), green),
        new(Health, Colour(Ams, "red"), "0x40"),
        new(Health, Colour(Ams, "yellow"), "0x40"),
        new(Health, Colour(Ams, "green"), "1x40"),
    ];

    private static Series[] Replication(string prefix, string io, string sql) =>
    [
        new($"mysql_slave_status_{prefix}_io_running", Replica, io),
        new($"mysql_slave_status_{prefix}_sql_running", Replica, sql),
    ];

    private static readonly Fired[] None = [];

    private const string ClusterUp = "elasticsearch_cluster_health_up";
    private const string MysqlUp = "mysql_up";
    private const string IoRunning = "mysql_slave_status_slave_io_running";

    /// <summary>The primary and replica answer; the replica's IO status series follows <paramref name="io"/>.</summary>
    private static Series[] ReplicaStatus(string replicaUp, string io) =>
    [
        new(MysqlUp, PrimaryTarget, "1x6"),
        new(MysqlUp, ReplicaTarget, replicaUp),
        new(IoRunning, Replica, io),
    ];

    public static IReadOnlyDictionary<string, AlertCase> All { get; } = new Dictionary<string, AlertCase>
    {
        ["red for longer than RedFor fires for that cluster only"] = new(ElasticsearchClusterRed, "5m",
            Colours(red: "0 0 1x4", yellow: "1 1 0x4", green: "0x6"),
            [new(Colour(Fra, "red"), Critical, "1")]),
        ["red for less than RedFor is silent"] = new(ElasticsearchClusterRed, "3m",
            Colours(red: "0 0 1x4", yellow: "1 1 0x4", green: "0x6"), None),
        ["a yellow cluster is not red"] = new(ElasticsearchClusterRed, "10m",
            Colours(red: "0x10", yellow: "1x10", green: "0x10"), None),

        ["yellow for longer than YellowFor fires"] = new(ElasticsearchClusterYellowTooLong, "35m",
            Colours(red: "0x40", yellow: "1x40", green: "0x40"),
            [new(Colour(Fra, "yellow"), Warning, "1")]),
        ["yellow for less than YellowFor is silent"] = new(ElasticsearchClusterYellowTooLong, "20m",
            Colours(red: "0x40", yellow: "1x40", green: "0x40"), None),
        ["a green moment restarts the yellow clock"] = new(ElasticsearchClusterYellowTooLong, "35m",
            Colours(red: "0x40", yellow: "1x20 0 1x19", green: "0x20 1 0x19"), None),
        ["a red cluster is not yellow"] = new(ElasticsearchClusterYellowTooLong, "35m",
            Colours(red: "1x40", yellow: "0x40", green: "0x40"), None),

        ["a three-node cluster down to two fires with its count"] = new(ElasticsearchFewerNodesThanExpected, "10m",
            [new(Nodes, Fra, "2x10"), new(Nodes, Ams, "5x10"), new(Nodes, Lon, "3x10")],
            [new(Fra, Critical, "2")]),
        ["a five-node cluster down to four fires, a three-node cluster with four does not"] = new(ElasticsearchFewerNodesThanExpected, "10m",
            [new(Nodes, Fra, "4x10"), new(Nodes, Ams, "4x10"), new(Nodes, Lon, "3x10")],
            [new(Ams, Critical, "4")]),
        ["every cluster at its expected count is silent"] = new(ElasticsearchFewerNodesThanExpected, "10m",
            [new(Nodes, Fra, "3x10"), new(Nodes, Ams, "5x10"), new(Nodes, Lon, "3x10")], None),
        ["a node rejoining within NodesMissingFor is silent"] = new(ElasticsearchFewerNodesThanExpected, "9m",
            [new(Nodes, Fra, "3 2 2 2 3x6"), new(Nodes, Ams, "5x10"), new(Nodes, Lon, "3x10")], None),
        ["a node missing for less than NodesMissingFor is silent"] = new(ElasticsearchFewerNodesThanExpected, "3m",
            [new(Nodes, Fra, "3 2x9"), new(Nodes, Ams, "5x10"), new(Nodes, Lon, "3x10")], None),

        ["CCR lag above the threshold for CcrLagFor fires per follower index"] = new(CcrLagTooHigh, "10m",
            [new(CcrLagMetric, Follower("orders"), "5000x10"), new(CcrLagMetric, Follower("customers"), "10x10")],
            [new(Follower("orders"), Warning, "5000")]),
        ["CCR lag at the threshold is silent"] = new(CcrLagTooHigh, "10m",
            [new(CcrLagMetric, Follower("orders"), "1000x10")], None),
        ["a CCR lag burst shorter than CcrLagFor is silent"] = new(CcrLagTooHigh, "9m",
            [new(CcrLagMetric, Follower("orders"), "5000x3 0x6")], None),

        ["a CCR fatal error fires"] = new(CcrFatalError, "3m",
            [new(CcrFatalMetric, FollowerCluster, "0 1x5")],
            [new(FollowerCluster, Critical, "1")]),
        ["no CCR fatal error is silent"] = new(CcrFatalError, "5m",
            [new(CcrFatalMetric, FollowerCluster, "0x5")], None),
        ["a CCR fatal error is pending until CcrFatalFor has passed"] = new(CcrFatalError, "1m",
            [new(CcrFatalMetric, FollowerCluster, "0 1x5")], None),

        ["MariaDB replica lag above the threshold fires"] = new(MysqlReplicaLagTooHigh, "5m",
            [new("mysql_slave_status_seconds_behind_master", Replica, "120x5")],
            [new(Replica, Warning, "120")]),
        ["MySQL 8.4 replica lag (seconds_behind_source) above the threshold fires"] = new(MysqlReplicaLagTooHigh, "5m",
            [new("mysql_slave_status_seconds_behind_source", Replica, "120x5")],
            [new(Replica, Warning, "120")]),
        ["replica lag at the threshold is silent"] = new(MysqlReplicaLagTooHigh, "5m",
            [new("mysql_slave_status_seconds_behind_master", Replica, "30x5")], None),
        ["a replica lag spike shorter than ReplicaLagFor is silent"] = new(MysqlReplicaLagTooHigh, "5m",
            [new("mysql_slave_status_seconds_behind_master", Replica, "0 120 0x4")], None),

        ["a stopped IO thread fires"] = new(MysqlReplicaIoThreadStopped, "3m",
            Replication("slave", io: "1 0x5", sql: "1x6"), [new(Replica, Critical, "0")]),
        ["a stopped IO thread on MySQL 8.4 (replica_io_running) fires"] = new(MysqlReplicaIoThreadStopped, "3m",
            Replication("replica", io: "1 0x5", sql: "1x6"), [new(Replica, Critical, "0")]),
        ["running replication threads are silent for IO"] = new(MysqlReplicaIoThreadStopped, "5m",
            Replication("slave", io: "1x6", sql: "1x6"), None),
        ["a reconnect shorter than ReplicaThreadFor is silent"] = new(MysqlReplicaIoThreadStopped, "4m",
            Replication("slave", io: "1 0 1x4", sql: "1x6"), None),
        ["a stopped SQL thread does not raise the IO alert"] = new(MysqlReplicaIoThreadStopped, "5m",
            Replication("slave", io: "1x6", sql: "0x6"), None),

        ["a stopped SQL thread fires"] = new(MysqlReplicaSqlThreadStopped, "3m",
            Replication("slave", io: "1x6", sql: "1 0x5"), [new(Replica, Critical, "0")]),
        ["a stopped SQL thread on MySQL 8.4 (replica_sql_running) fires"] = new(MysqlReplicaSqlThreadStopped, "3m",
            Replication("replica", io: "1x6", sql: "1 0x5"), [new(Replica, Critical, "0")]),
        ["running replication threads are silent for SQL"] = new(MysqlReplicaSqlThreadStopped, "5m",
            Replication("slave", io: "1x6", sql: "1x6"), None),
        ["a stopped IO thread does not raise the SQL alert"] = new(MysqlReplicaSqlThreadStopped, "5m",
            Replication("slave", io: "0x6", sql: "1x6"), None),

        ["a failing probe fires for that endpoint only"] = new(EndpointProbeDown, "3m",
            [new("probe_success", Probe("fra", FraSearch), "1 0x5"), new("probe_success", Probe("ams", AmsSearch), "1x6")],
            [new(Probe("fra", FraSearch), Critical, "0")]),
        ["succeeding probes are silent"] = new(EndpointProbeDown, "5m",
            [new("probe_success", Probe("fra", FraSearch), "1x6"), new("probe_success", Probe("ams", AmsSearch), "1x6")], None),
        ["one failed probe is silent"] = new(EndpointProbeDown, "4m",
            [new("probe_success", Probe("fra", FraSearch), "1 0 1x4")], None),

        // The held-out run: the replica's server stopped, the exporter still answered with mysql_up 0.
        ["a target failing its scrapes for longer than ProbeFor fires for that target only"] = new(ScrapeTargetDown, "3m",
            [new("up", ReplicaTarget, "1 0x5"), new("up", EsTarget("fra", 3, "9114"), "1x6")],
            [new(ReplicaTarget, Warning, "0")]),
        ["targets that are scraped are silent"] = new(ScrapeTargetDown, "5m",
            [new("up", ReplicaTarget, "1x6"), new("up", EsTarget("fra", 3, "9114"), "1x6")], None),
        ["one failed scrape is silent"] = new(ScrapeTargetDown, "4m",
            [new("up", ReplicaTarget, "1 0 1x4")], None),

        ["an exporter unable to reach its cluster for longer than ProbeFor fires for that cluster"] = new(ElasticsearchClusterUnreachable, "3m",
            [new(ClusterUp, EsTarget("fra", 3, "9114"), "1 0x5"), new(ClusterUp, EsTarget("ams", 5, "9116"), "1x6")],
            [new(EsTarget("fra", 3, "9114"), Critical, "0")]),
        ["clusters the exporter reaches are silent"] = new(ElasticsearchClusterUnreachable, "5m",
            [new(ClusterUp, EsTarget("fra", 3, "9114"), "1x6"), new(ClusterUp, EsTarget("ams", 5, "9116"), "1x6")], None),
        ["a cluster unreachable for one scrape is silent"] = new(ElasticsearchClusterUnreachable, "4m",
            [new(ClusterUp, EsTarget("fra", 3, "9114"), "1 0 1x4")], None),

        ["a stopped replica server fires for the replica"] = new(MysqlServerUnreachable, "3m",
            [new(MysqlUp, PrimaryTarget, "1x6"), new(MysqlUp, ReplicaTarget, "1 0x5")],
            [new(ReplicaTarget, Critical, "0")]),
        ["database servers that answer are silent"] = new(MysqlServerUnreachable, "5m",
            [new(MysqlUp, PrimaryTarget, "1x6"), new(MysqlUp, ReplicaTarget, "1x6")], None),
        ["a database restart shorter than ProbeFor is silent"] = new(MysqlServerUnreachable, "4m",
            [new(MysqlUp, ReplicaTarget, "1 0 1x4")], None),

        ["a replica whose status series vanished fires with the replica's labels"] = new(MysqlReplicaStatusMissing, "3m",
            ReplicaStatus(replicaUp: "1x6", io: "1 stale"), [new(ReplicaTarget, Critical, "1")]),
        ["a replica reporting its status is silent"] = new(MysqlReplicaStatusMissing, "5m",
            ReplicaStatus(replicaUp: "1x6", io: "1x6"), None),
        ["a replica reporting MySQL 8.4's replica_io_running is silent"] = new(MysqlReplicaStatusMissing, "5m",
            [new(MysqlUp, ReplicaTarget, "1x6"), new("mysql_slave_status_replica_io_running", Replica, "1x6")], None),
        ["a replica status gap shorter than ReplicaThreadFor is silent"] = new(MysqlReplicaStatusMissing, "4m",
            ReplicaStatus(replicaUp: "1x6", io: "1 stale 1x4"), None),
        ["an unreachable replica raises MysqlServerUnreachable, not a missing status"] = new(MysqlReplicaStatusMissing, "3m",
            ReplicaStatus(replicaUp: "1 0x5", io: "1 stale"), None),
    };
}
