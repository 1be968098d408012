using System.Globalization;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Probes one region's MySQL/MariaDB server: read_only, the GTID position, and the replica's state from
/// <c>SHOW SLAVE STATUS</c> (MariaDB and older MySQL names) or <c>SHOW REPLICA STATUS</c> (the newer ones).
/// A server that cannot be queried is reported unreachable, never thrown.
/// </summary>
internal sealed class MySqlObserver(MySqlClient client)
{
    internal const string VariablesSql = "SELECT @@global.read_only AS read_only, @@global.gtid_current_pos AS gtid_current_pos, @@global.gtid_slave_pos AS gtid_slave_pos";
    internal const string SlaveStatusSql = "SHOW SLAVE STATUS";

    public async Task<DatabaseObservation> ObserveAsync(MySqlEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            var variables = await client.QueryAsync(endpoint, VariablesSql, cancellationToken).ConfigureAwait(false);
            var status = await client.QueryAsync(endpoint, SlaveStatusSql, cancellationToken).ConfigureAwait(false);
            return FromRows(endpoint.Region, variables, status);
        }
        catch (Exception e) when (e is MySqlException or TimeoutException)
        {
            return Unreachable(endpoint.Region);
        }
    }

    internal static DatabaseObservation Unreachable(string region) =>
        new(region, Reachable: false, ReadOnly: false, IsReplica: false, IoThreadRunning: false, SqlThreadRunning: false, SecondsBehind: null, GtidPosition: null);

    /// <summary>Pure: the observation from the two result sets.</summary>
    internal static DatabaseObservation FromRows(string region, MySqlRows variables, MySqlRows slaveStatus)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(slaveStatus);
        var readOnly = variables.Count > 0 && variables.Value(0, "read_only") is "1" or "ON";
        var gtid = variables.Count > 0 ? NonEmpty(variables.Value(0, "gtid_current_pos")) ?? NonEmpty(variables.Value(0, "gtid_slave_pos")) : null;
        if (slaveStatus.Count == 0)
        {
            return new(region, true, readOnly, IsReplica: false, IoThreadRunning: false, SqlThreadRunning: false, SecondsBehind: null, gtid);
        }
        var io = slaveStatus.Value(0, "Slave_IO_Running", "Replica_IO_Running");
        var sql = slaveStatus.Value(0, "Slave_SQL_Running", "Replica_SQL_Running");
        var behind = slaveStatus.Value(0, "Seconds_Behind_Master", "Seconds_Behind_Source");
        return new(region, true, readOnly, IsReplica: true,
            IoThreadRunning: string.Equals(io, "Yes", StringComparison.OrdinalIgnoreCase),
            SqlThreadRunning: string.Equals(sql, "Yes", StringComparison.OrdinalIgnoreCase),
            SecondsBehind: int.TryParse(behind, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            gtid);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
