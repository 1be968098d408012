using System.Globalization;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Probes one region's MySQL/MariaDB server in its engine's <see cref="SqlDialect"/>: read_only, the GTID position,
/// and the replica's state from the replica status. Never throws for an unhealthy server: one that cannot be
/// reached is observed unreachable, one that answers a query with an error is observed reachable with that error.
/// </summary>
internal sealed class MySqlObserver(IMySqlClient client, SqlDialect dialect)
{
    public SqlDialect Dialect { get; } = dialect;

    public async Task<DatabaseObservation> ObserveAsync(MySqlEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            var variables = await client.QueryAsync(endpoint, Dialect.Variables, cancellationToken).ConfigureAwait(false);
            var status = await client.QueryAsync(endpoint, Dialect.ReplicaStatus, cancellationToken).ConfigureAwait(false);
            return FromRows(endpoint.Region, variables, status, Dialect);
        }
        catch (MySqlException e) when (e.ServerAnswered)
        {
            return Refused(endpoint.Region, e.Message);
        }
        catch (MySqlException)
        {
            // Not reached, not trusted, silent or cut off: nothing was learned from the server.
            return Unreachable(endpoint.Region);
        }
    }

    internal static DatabaseObservation Unreachable(string region) =>
        new(region, Reachable: false, ReadOnly: false, IsReplica: false, IoThreadRunning: false, SqlThreadRunning: false, SecondsBehind: null, GtidPosition: null);

    /// <summary>The server is up but refused a query (a statement it does not know, a missing privilege): nothing it holds is known.</summary>
    internal static DatabaseObservation Refused(string region, string error) =>
        new(region, Reachable: true, ReadOnly: false, IsReplica: false, IoThreadRunning: false, SqlThreadRunning: false, SecondsBehind: null, GtidPosition: null)
        {
            SqlError = error,
        };

    /// <summary>Pure: the observation from the two result sets, read by <paramref name="dialect"/>'s column names.</summary>
    internal static DatabaseObservation FromRows(string region, MySqlRows variables, MySqlRows replicaStatus, SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(replicaStatus);
        ArgumentNullException.ThrowIfNull(dialect);
        var readOnly = variables.Count > 0 && variables.Value(0, "read_only") is "1" or "ON";
        var gtid = variables.Count > 0 ? dialect.GtidColumns.Select(c => NonEmpty(variables.Value(0, c))).FirstOrDefault(v => v is not null) : null;
        if (replicaStatus.Count == 0)
        {
            return new(region, true, readOnly, IsReplica: false, IoThreadRunning: false, SqlThreadRunning: false, SecondsBehind: null, gtid);
        }
        // Another engine's columns would read as stopped threads: say what is wrong instead.
        var missing = dialect.StatusColumns.Where(c => !replicaStatus.Columns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            return Refused(region, $"the replica status has no {string.Join(", ", missing)} column (is es-dr:database.engine '{dialect.Name}' the server's engine?)");
        }
        var io = replicaStatus.Value(0, dialect.IoRunningColumn);
        var sql = replicaStatus.Value(0, dialect.SqlRunningColumn);
        var behind = replicaStatus.Value(0, dialect.SecondsBehindColumn);
        return new(region, true, readOnly, IsReplica: true,
            IoThreadRunning: string.Equals(io, "Yes", StringComparison.OrdinalIgnoreCase),
            SqlThreadRunning: string.Equals(sql, "Yes", StringComparison.OrdinalIgnoreCase),
            SecondsBehind: int.TryParse(behind, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            gtid);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
