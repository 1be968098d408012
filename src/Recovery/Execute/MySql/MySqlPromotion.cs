using System.Globalization;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.Recovery.Execute.MySql;

/// <summary>
/// The MySQL/MariaDB side of failover and failback. Every operation looks before it acts, so a retry (after
/// a crash, or a recovery run twice) finds the work done and changes nothing. Each returns what it did.
/// </summary>
internal sealed class MySqlPromotion(MySqlClient client)
{
    internal const string ReadOnlySql = "SELECT @@global.read_only";
    internal const string FenceSql = "SET GLOBAL read_only = ON";
    internal const string WritableSql = "SET GLOBAL read_only = OFF";
    internal const string StopSql = "STOP SLAVE";
    internal const string ResetSql = "RESET SLAVE ALL";
    internal const string GtidSql = "SELECT @@global.gtid_current_pos";

    /// <summary>Makes the old primary refuse application writes (error 1290). Skipped when it already does.</summary>
    public async Task<IReadOnlyList<string>> FenceAsync(MySqlEndpoint primary, CancellationToken cancellationToken = default)
    {
        if (await IsReadOnlyAsync(primary, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }
        await client.QueryAsync(primary, FenceSql, cancellationToken).ConfigureAwait(false);
        return [FenceSql];
    }

    /// <summary>
    /// Makes the replica a writable primary: stops replication (only if a thread runs), forgets its primary
    /// (only if it still has one) and lifts read_only (only if set).
    /// </summary>
    public async Task<IReadOnlyList<string>> PromoteAsync(MySqlEndpoint replica, CancellationToken cancellationToken = default)
    {
        var done = new List<string>();
        done.AddRange(await StopReplicationAsync(replica, cancellationToken).ConfigureAwait(false));
        done.AddRange(await ForgetPrimaryAsync(replica, cancellationToken).ConfigureAwait(false));
        done.AddRange(await MakeWritableAsync(replica, cancellationToken).ConfigureAwait(false));
        return done;
    }

    public async Task<IReadOnlyList<string>> StopReplicationAsync(MySqlEndpoint replica, CancellationToken cancellationToken = default)
    {
        var status = await SlaveStatusAsync(replica, cancellationToken).ConfigureAwait(false);
        if (status.Count == 0 || !(Running(status, "Slave_IO_Running", "Replica_IO_Running") || Running(status, "Slave_SQL_Running", "Replica_SQL_Running")))
        {
            return [];
        }
        await client.QueryAsync(replica, StopSql, cancellationToken).ConfigureAwait(false);
        return [StopSql];
    }

    public async Task<IReadOnlyList<string>> ForgetPrimaryAsync(MySqlEndpoint replica, CancellationToken cancellationToken = default)
    {
        var status = await SlaveStatusAsync(replica, cancellationToken).ConfigureAwait(false);
        if (status.Count == 0)
        {
            return [];
        }
        // A running thread would make RESET refuse (1198); stop first if a caller skipped that.
        var done = new List<string>(await StopReplicationAsync(replica, cancellationToken).ConfigureAwait(false));
        await client.QueryAsync(replica, ResetSql, cancellationToken).ConfigureAwait(false);
        done.Add(ResetSql);
        return done;
    }

    public async Task<IReadOnlyList<string>> MakeWritableAsync(MySqlEndpoint server, CancellationToken cancellationToken = default)
    {
        if (!await IsReadOnlyAsync(server, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }
        await client.QueryAsync(server, WritableSql, cancellationToken).ConfigureAwait(false);
        return [WritableSql];
    }

    /// <summary>The server's GTID position (<c>@@gtid_current_pos</c>).</summary>
    public async Task<string> GtidPositionAsync(MySqlEndpoint server, CancellationToken cancellationToken = default) =>
        await client.ScalarAsync(server, GtidSql, cancellationToken).ConfigureAwait(false) ?? "";

    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until the replica has applied every transaction up to
    /// <paramref name="primaryGtid"/> (<c>MASTER_GTID_WAIT</c>). Throws <see cref="TimeoutException"/> when it has not.
    /// </summary>
    public async Task WaitForZeroLagAsync(MySqlEndpoint replica, string primaryGtid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(primaryGtid);
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "The wait needs a positive bound.");
        }
        if (primaryGtid.Any(c => !(char.IsAsciiDigit(c) || c is '-' or ',' or ' ')))
        {
            throw new ArgumentException($"Not a GTID position: '{primaryGtid}'.", nameof(primaryGtid));
        }
        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var rows = await client.QueryAsync(replica, $"SELECT MASTER_GTID_WAIT('{primaryGtid}', {seconds})",
            timeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        switch (rows.Scalar)
        {
            case "0":
                return;
            case "-1":
                throw new TimeoutException($"The replica {replica} did not reach {primaryGtid} within {seconds} s.");
            default:
                throw new MySqlException($"MASTER_GTID_WAIT on {replica} answered '{rows.Scalar}' for {primaryGtid}.");
        }
    }

    private async Task<bool> IsReadOnlyAsync(MySqlEndpoint server, CancellationToken cancellationToken) =>
        await client.ScalarAsync(server, ReadOnlySql, cancellationToken).ConfigureAwait(false) is "1" or "ON";

    private Task<MySqlRows> SlaveStatusAsync(MySqlEndpoint server, CancellationToken cancellationToken) =>
        client.QueryAsync(server, MySqlObserver.SlaveStatusSql, cancellationToken);

    private static bool Running(MySqlRows status, params string[] column) =>
        string.Equals(status.Value(0, column), "Yes", StringComparison.OrdinalIgnoreCase)
        || string.Equals(status.Value(0, column), "Connecting", StringComparison.OrdinalIgnoreCase);
}
