using System.Globalization;

namespace EsDr.Infra.Renderers.Monitoring;

/// <summary>
/// One Elasticsearch cluster watched from the monitoring host. Each cluster has its own
/// elasticsearch_exporter on the monitoring host, listening on <paramref name="ExporterPort"/>.
/// </summary>
/// <param name="ExpectedNodes">The node count the stack deploys; fewer for too long raises an alert.</param>
public sealed record MonitoredCluster(string Region, string ClusterName, int ExporterPort, int ExpectedNodes);

public enum DatabaseRole
{
    Primary,
    Replica,
}

/// <summary>One MySQL/MariaDB node, scraped through the mysqld_exporter at <paramref name="ExporterAddress"/> (host:port).</summary>
public sealed record MonitoredDatabase(string Region, DatabaseRole Role, string ExporterAddress);

/// <summary>A regional endpoint probed by blackbox_exporter.</summary>
/// <param name="Url">
/// What the probe requests, normally the endpoint's
/// <c>https://…:9200/_cluster/health?wait_for_status=yellow&amp;timeout=1s</c>, which answers 200 only while
/// the cluster is yellow or better and has an elected master (the balancers' check).
/// </param>
public sealed record ProbeEndpoint(string Region, string Url);

/// <summary>Label and job names shared by the scrape config, the alert rules and Alertmanager's routing.</summary>
public static class MonitoringLabels
{
    public const string Region = "region";

    /// <summary>
    /// Set as a target label from config, and by elasticsearch_exporter on its cluster series (the name Elasticsearch
    /// reports, the same <c>cluster.name</c>): the elasticsearch job honours the exporter's, so there is one
    /// <c>cluster</c> label and no <c>exported_cluster</c>; series the exporter leaves unlabelled carry the target's.
    /// </summary>
    public const string Cluster = "cluster";

    /// <summary>Target label carrying a cluster's expected node count; the node-count alert selects on it.</summary>
    public const string ExpectedNodes = "expected_nodes";

    public const string Role = "role";
    public const string Severity = "severity";
    public const string Instance = "instance";

    /// <summary>Set by Prometheus on every target: the scrape job's name.</summary>
    public const string Job = "job";

    public const string ElasticsearchJob = "elasticsearch";
    public const string MysqldJob = "mysqld";
    public const string BlackboxJob = "blackbox";
    public const string RecoveryJob = "esdr_recovery";
    public const string PrometheusJob = "prometheus";

    internal static string RoleValue(DatabaseRole role) => role switch
    {
        DatabaseRole.Primary => "primary",
        DatabaseRole.Replica => "replica",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown database role."),
    };
}

/// <summary>Prometheus/Alertmanager durations ("90s", "5m", "1h"): the largest unit that is exact.</summary>
internal static class PromDuration
{
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Durations must be a positive whole number of seconds.");
        }
        var seconds = (long)value.TotalSeconds;
        return seconds % 3600 == 0 ? Num(seconds / 3600) + "h"
            : seconds % 60 == 0 ? Num(seconds / 60) + "m"
            : Num(seconds) + "s";
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
