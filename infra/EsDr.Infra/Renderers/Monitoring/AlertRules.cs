using System.Globalization;
using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Renderers.Monitoring.MonitoringLabels;

namespace EsDr.Infra.Renderers.Monitoring;

/// <summary>How bad, and for how long, before each alert fires. Defaults suit a three-region setup.</summary>
public sealed record AlertThresholds
{
    /// <summary>Short: a red cluster is failing writes now; recovery still confirms before failing over.</summary>
    public TimeSpan RedFor { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Long enough for a node restart or a rolling upgrade to re-allocate its replicas.</summary>
    public TimeSpan YellowFor { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Long enough for a node to reboot and rejoin before recovery rebuilds it.</summary>
    public TimeSpan NodesMissingFor { get; init; } = TimeSpan.FromMinutes(5);

    public long CcrLagOperations { get; init; } = 10_000;
    public TimeSpan CcrLagFor { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan CcrFatalFor { get; init; } = TimeSpan.FromMinutes(1);

    public int ReplicaLagSeconds { get; init; } = 60;
    public TimeSpan ReplicaLagFor { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longer than a replica's reconnect after a brief network blip.</summary>
    public TimeSpan ReplicaThreadFor { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Several failed probes in a row (three evaluations at the 15 s interval), so one lost packet does not count; and
    /// short enough that an endpoint's alert, as the second vantage of a region loss, is confirmed within 90 s of the
    /// fault (up to 15 s to the first failed scrape and 15 s to the evaluation that sees it, this wait, group_wait
    /// 10 s, one round of the recovery program, which takes a firing alert as confirmed).
    /// </summary>
    public TimeSpan ProbeFor { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Renders the Prometheus rules file. Every alert keeps the labels of the series it fires on
/// (<c>region</c>, and <c>cluster</c> where there is one), adds <c>severity</c>, and says in its
/// annotations what it means and what the recovery program does about it, which receives every alert
/// through Alertmanager's webhook.
/// </summary>
public static class AlertRules
{
    public const string ElasticsearchClusterRed = nameof(ElasticsearchClusterRed);
    public const string ElasticsearchClusterYellowTooLong = nameof(ElasticsearchClusterYellowTooLong);
    public const string ElasticsearchFewerNodesThanExpected = nameof(ElasticsearchFewerNodesThanExpected);
    public const string CcrLagTooHigh = nameof(CcrLagTooHigh);
    public const string CcrFatalError = nameof(CcrFatalError);
    public const string MysqlReplicaLagTooHigh = nameof(MysqlReplicaLagTooHigh);
    public const string MysqlReplicaIoThreadStopped = nameof(MysqlReplicaIoThreadStopped);
    public const string MysqlReplicaSqlThreadStopped = nameof(MysqlReplicaSqlThreadStopped);
    public const string EndpointProbeDown = nameof(EndpointProbeDown);
    public const string ScrapeTargetDown = nameof(ScrapeTargetDown);
    public const string ElasticsearchClusterUnreachable = nameof(ElasticsearchClusterUnreachable);
    public const string MysqlServerUnreachable = nameof(MysqlServerUnreachable);
    public const string MysqlReplicaStatusMissing = nameof(MysqlReplicaStatusMissing);

    public static IReadOnlyList<string> AlertNames { get; } =
    [
        ElasticsearchClusterRed, ElasticsearchClusterYellowTooLong, ElasticsearchFewerNodesThanExpected,
        CcrLagTooHigh, CcrFatalError,
        MysqlReplicaLagTooHigh, MysqlReplicaIoThreadStopped, MysqlReplicaSqlThreadStopped,
        EndpointProbeDown,
        ScrapeTargetDown, ElasticsearchClusterUnreachable, MysqlServerUnreachable, MysqlReplicaStatusMissing,
    ];

    public const string Critical = "critical";
    public const string Warning = "warning";

    // elasticsearch_exporter (collector/cluster_health.go): one series per colour, 1 for the current one.
    internal const string HealthStatusMetric = "elasticsearch_cluster_health_status";
    internal const string NodeCountMetric = "elasticsearch_cluster_health_number_of_nodes";

    /// <summary>
    /// elasticsearch_exporter has no CCR collector, so the recovery program exposes these on its
    /// /metrics from <c>GET /_ccr/stats</c>, labelled region, cluster (the follower's), follower_index:
    /// the sum over shards of leader_global_checkpoint − follower_global_checkpoint…
    /// </summary>
    public const string CcrLagMetric = "esdr_ccr_follower_lag_operations";

    /// <summary>…and the number of follower indices whose follow stats carry a fatal_exception.</summary>
    public const string CcrFatalMetric = "esdr_ccr_fatal_errors";

    // mysqld_exporter (collector/slave_status.go) exports every SHOW … STATUS column as
    // mysql_slave_status_<lower-cased column>. MariaDB and MySQL before 8.4 name the columns
    // Seconds_Behind_Master / Slave_*_Running; MySQL 8.4 only has SHOW REPLICA STATUS, whose columns
    // are Seconds_Behind_Source / Replica_*_Running. Each rule accepts both. "Connecting" counts as 0.
    internal const string LagMetric = "mysql_slave_status_seconds_behind_master";
    internal const string LagMetricSource = "mysql_slave_status_seconds_behind_source";
    internal const string IoRunningMetric = "mysql_slave_status_slave_io_running";
    internal const string IoRunningMetricReplica = "mysql_slave_status_replica_io_running";
    internal const string SqlRunningMetric = "mysql_slave_status_slave_sql_running";
    internal const string SqlRunningMetricReplica = "mysql_slave_status_replica_sql_running";

    // blackbox_exporter: 1 when the probe succeeded.
    internal const string ProbeSuccessMetric = "probe_success";

    // Prometheus sets up to 0 for a target whose scrape failed; its other series then go stale and vanish.
    internal const string UpMetric = "up";

    // Each exporter answers its scrape even when it cannot reach its server, reporting that as 0 here
    // (elasticsearch_exporter collector/cluster_health.go, mysqld_exporter mysqld_exporter.go); the
    // server's own series are then missing, not 0, so no other rule can fire.
    internal const string ClusterHealthUpMetric = "elasticsearch_cluster_health_up";
    internal const string MysqlUpMetric = "mysql_up";

    internal const string ElasticsearchGroup = "esdr-elasticsearch";
    internal const string CcrGroup = "esdr-ccr";
    internal const string MysqlGroup = "esdr-mysql";
    internal const string EndpointGroup = "esdr-endpoints";
    internal const string VisibilityGroup = "esdr-visibility";

    private const string Value = "{{ $value }}";

    /// <param name="clusters">The same list given to <see cref="PrometheusConfig"/>: it decides the node-count rules.</param>
    public static string Render(IReadOnlyList<MonitoredCluster> clusters, AlertThresholds t)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(t);

        return Yaml.Serialize(Yaml.Map(
        [
            Yaml.Entry("groups", Yaml.List(
            [
                Group(ElasticsearchGroup, [.. ClusterHealth(t), .. NodeCounts(clusters, t)]),
                Group(CcrGroup, Ccr(t)),
                Group(MysqlGroup, Mysql(t)),
                Group(EndpointGroup, Endpoints(t)),
                Group(VisibilityGroup, Visibility(t)),
            ])),
        ]));
    }

    private static IEnumerable<YamlMappingNode> ClusterHealth(AlertThresholds t)
    {
        yield return Rule(ElasticsearchClusterRed,
            $"{HealthStatusMetric}{{color=\"red\"}} == 1", t.RedFor, Critical,
            $"Elasticsearch cluster {L(Cluster)} in {L(Region)} is red",
            $"At least one primary shard of {L(Cluster)} is unassigned, so writes and searches on it fail. "
            + "Recovery confirms it from more than one vantage point, then, if allowed, fails writes and traffic over to a green standby.");

        yield return Rule(ElasticsearchClusterYellowTooLong,
            $"{HealthStatusMetric}{{color=\"yellow\"}} == 1", t.YellowFor, Warning,
            $"Elasticsearch cluster {L(Cluster)} in {L(Region)} has been yellow for over {PromDuration.Format(t.YellowFor)}",
            $"Replica shards of {L(Cluster)} are unassigned, so one more lost node can lose data. "
            + "Recovery does not fail over for this; it rebuilds missing nodes (see ElasticsearchFewerNodesThanExpected) and otherwise leaves it to an operator.");
    }

    /// <summary>
    /// PromQL cannot compare a sample with a label's value, so the expression has one selector per
    /// distinct expected count, each picking the clusters whose target label carries that count. One
    /// rule, not one per count: promtool rejects rules that differ only in their expression.
    /// </summary>
    private static IEnumerable<YamlMappingNode> NodeCounts(IReadOnlyList<MonitoredCluster> clusters, AlertThresholds t)
    {
        var counts = clusters.Select(c => c.ExpectedNodes).Distinct().Order().ToList();
        if (counts.Count == 0)
        {
            yield break;
        }
        yield return Rule(ElasticsearchFewerNodesThanExpected,
            string.Join(" or ", counts.Select(n => $"{NodeCountMetric}{{{ExpectedNodes}=\"{Num(n)}\"}} < {Num(n)}")),
            t.NodesMissingFor, Critical,
            $"Elasticsearch cluster {L(Cluster)} in {L(Region)} has {Value} of {L(ExpectedNodes)} nodes",
            $"Nodes of {L(Cluster)} have left the cluster for over {PromDuration.Format(t.NodesMissingFor)}. "
            + "This alert names no node. Recovery rebuilds a node (a new generation in config, the stack re-run) only once its own probe "
            + "names the missing one; otherwise es-dr-recovery rebuild-node --region <region> --node <name>.");
    }

    private static IEnumerable<YamlMappingNode> Ccr(AlertThresholds t)
    {
        yield return Rule(CcrLagTooHigh,
            $"{CcrLagMetric} > {t.CcrLagOperations.ToString(CultureInfo.InvariantCulture)}", t.CcrLagFor, Warning,
            $"Follower index {L("follower_index")} in {L(Cluster)} is {Value} operations behind its leader",
            "A failover now would lose the operations not yet replicated. "
            + "Recovery does not act on lag alone, but a planned failback waits until this lag is zero.");

        yield return Rule(CcrFatalError,
            $"{CcrFatalMetric} > 0", t.CcrFatalFor, Critical,
            $"Cross-cluster replication into {L(Cluster)} in {L(Region)} has stopped with a fatal error",
            $"{Value} follower indices of {L(Cluster)} no longer follow their leader and will not retry. "
            + "Recovery leaves it to an operator (pause and resume the follower, or rebuild the standby); the standby is no failover target.");
    }

    private static IEnumerable<YamlMappingNode> Mysql(AlertThresholds t)
    {
        var lag = Num(t.ReplicaLagSeconds);
        yield return Rule(MysqlReplicaLagTooHigh,
            $"{LagMetric} > {lag} or {LagMetricSource} > {lag}", t.ReplicaLagFor, Warning,
            $"MySQL replica in {L(Region)} is {Value}s behind the primary",
            "A failover now would lose the writes of the last seconds. "
            + "Recovery does not act on lag alone, but a planned failback waits until the replica has caught up.");

        yield return Rule(MysqlReplicaIoThreadStopped,
            $"{IoRunningMetric} == 0 or {IoRunningMetricReplica} == 0", t.ReplicaThreadFor, Critical,
            $"MySQL replica in {L(Region)} is not receiving the primary's binary log",
            "The replication IO thread is stopped or cannot connect to the primary. "
            + "Recovery takes it as evidence that the primary's region is lost when its endpoint probes fail too, and then promotes this replica; otherwise an operator restarts replication.");

        yield return Rule(MysqlReplicaSqlThreadStopped,
            $"{SqlRunningMetric} == 0 or {SqlRunningMetricReplica} == 0", t.ReplicaThreadFor, Critical,
            $"MySQL replica in {L(Region)} has stopped applying the primary's changes",
            "The replication SQL thread stopped, usually on an error applying an event, so the replica falls further behind. "
            + "Recovery will not promote a replica in this state without an operator; fix the error and start the thread again.");
    }

    private static IEnumerable<YamlMappingNode> Endpoints(AlertThresholds t)
    {
        yield return Rule(EndpointProbeDown,
            $"{ProbeSuccessMetric} == 0", t.ProbeFor, Critical,
            $"Endpoint {L(Instance)} in {L(Region)} fails its probe",
            $"The endpoint has not answered its health check for over {PromDuration.Format(t.ProbeFor)}. "
            + "Recovery counts these as failed checks; when they persist from more than one vantage point it fails the region over.");
    }

    /// <summary>
    /// A missing series matches no comparison, so without these a stopped exporter or server reads as healthy.
    /// Each failure raises exactly one of them: the exporter unscraped (<c>up</c>), the exporter unable to reach
    /// its server (<c>*_up</c>), or a replica server that answers but reports no replication status. Each keeps
    /// the target's labels (region, cluster, role), so recovery knows which component it cannot see.
    /// </summary>
    private static IEnumerable<YamlMappingNode> Visibility(AlertThresholds t)
    {
        yield return Rule(ScrapeTargetDown,
            $"{UpMetric} == 0", t.ProbeFor, Warning,
            $"Prometheus cannot scrape the {L(Job)} target {L(Instance)}",
            $"The target has failed every scrape for over {PromDuration.Format(t.ProbeFor)}, so every series it exports is missing "
            + "and no other alert about it can fire. Recovery treats what this target reports on as unknown (neither healthy nor failed) until it is scraped again.");

        yield return Rule(ElasticsearchClusterUnreachable,
            $"{ClusterHealthUpMetric} == 0", t.ProbeFor, Critical,
            $"elasticsearch_exporter cannot reach cluster {L(Cluster)} in {L(Region)}",
            $"The exporter has not got the cluster's health through the regional endpoint for over {PromDuration.Format(t.ProbeFor)}, "
            + "so the colour and node-count alerts of this cluster cannot fire. Recovery treats the cluster's state as unknown, "
            + "not as healthy and not by itself as a lost region (that needs the endpoint probes and the other vantage points).");

        yield return Rule(MysqlServerUnreachable,
            $"{MysqlUpMetric} == 0", t.ProbeFor, Critical,
            $"mysqld_exporter cannot reach the {L(Role)} database in {L(Region)}",
            $"The exporter has not been able to log in to the database for over {PromDuration.Format(t.ProbeFor)}: the server is stopped, "
            + "unreachable or refuses the monitor user, and its replication alerts cannot fire. Recovery treats the database's state as unknown.");

        yield return Rule(MysqlReplicaStatusMissing,
            $"{MysqlUpMetric}{{{Role}=\"{RoleValue(DatabaseRole.Replica)}\"}} == 1 unless on({Job}, {Instance}) ({IoRunningMetric} or {IoRunningMetricReplica})",
            t.ReplicaThreadFor, Critical,
            $"MySQL replica in {L(Region)} reports no replication status",
            "The server answers but SHOW REPLICA STATUS is empty (replication was reset or never configured) or the monitor user may not run it, "
            + "so the replication alerts cannot fire. Recovery treats the replica's state as unknown.");
    }

    private static YamlMappingNode Group(string name, IEnumerable<YamlMappingNode> rules) => Yaml.Map(
    [
        Yaml.Entry("name", Yaml.Str(name)),
        Yaml.Entry("rules", Yaml.List(rules)),
    ]);

    private static YamlMappingNode Rule(string alert, string expr, TimeSpan @for, string severity, string summary, string description) => Yaml.Map(
    [
        Yaml.Entry("alert", Yaml.Str(alert)),
        Yaml.Entry("expr", Yaml.Str(expr)),
        Yaml.Entry("for", Yaml.Str(PromDuration.Format(@for))),
        Yaml.Entry("labels", Yaml.Map([Yaml.Entry(Severity, Yaml.Str(severity))])),
        Yaml.Entry("annotations", Yaml.Map(
        [
            Yaml.Entry("summary", Yaml.Str(summary)),
            Yaml.Entry("description", Yaml.Str(description)),
        ])),
    ]);

    /// <summary>A label of the alerting series, expanded by Prometheus when the alert fires.</summary>
    private static string L(string label) => "{{ $labels." + label + " }}";

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
