using System.Globalization;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Execute.MySql;

/// <summary>
/// The MySQL/MariaDB side of failover and failback, in the engine's <see cref="SqlDialect"/>. Every operation looks
/// before it acts, so a retry (after a crash, or a recovery run twice) finds the work done and changes nothing.
/// Each returns the statements it ran.
/// </summary>
internal sealed class MySqlPromotion(IMySqlClient client, SqlDialect dialect)
{
    public SqlDialect Dialect { get; } = dialect;

    /// <summary>Makes the old primary refuse client writes (error 1290). Skipped when it already does.</summary>
    public async Task<IReadOnlyList<string>> FenceAsync(MySqlEndpoint primary, CancellationToken cancellationToken = default)
    {
        if (await IsOnAsync(primary, Dialect.FenceState, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }
        await client.QueryAsync(primary, Dialect.Fence, cancellationToken).ConfigureAwait(false);
        return [Dialect.Fence];
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
        var status = await ReplicaStatusAsync(replica, cancellationToken).ConfigureAwait(false);
        if (status.Count == 0 || !(Running(status, Dialect.IoRunningColumn) || Running(status, Dialect.SqlRunningColumn)))
        {
            return [];
        }
        await client.QueryAsync(replica, Dialect.StopReplication, cancellationToken).ConfigureAwait(false);
        return [Dialect.StopReplication];
    }

    public async Task<IReadOnlyList<string>> ForgetPrimaryAsync(MySqlEndpoint replica, CancellationToken cancellationToken = default)
    {
        var status = await ReplicaStatusAsync(replica, cancellationToken).ConfigureAwait(false);
        if (status.Count == 0)
        {
            return [];
        }
        // Both engines refuse to reset a replica whose threads run; stop first if a caller skipped that.
        var done = new List<string>(await StopReplicationAsync(replica, cancellationToken).ConfigureAwait(false));
        await client.QueryAsync(replica, Dialect.ForgetPrimary, cancellationToken).ConfigureAwait(false);
        done.Add(Dialect.ForgetPrimary);
        return done;
    }

    public async Task<IReadOnlyList<string>> MakeWritableAsync(MySqlEndpoint server, CancellationToken cancellationToken = default)
    {
        if (!await IsOnAsync(server, Dialect.WritableState, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }
        await client.QueryAsync(server, Dialect.MakeWritable, cancellationToken).ConfigureAwait(false);
        return [Dialect.MakeWritable];
    }

    /// <summary>The server's GTID position (<see cref="SqlDialect.GtidVariable"/>).</summary>
    public async Task<string> GtidPositionAsync(MySqlEndpoint server, CancellationToken cancellationToken = default) =>
        await client.ScalarAsync(server, Dialect.GtidPosition, cancellationToken).ConfigureAwait(false) ?? "";

    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until the replica has applied every transaction up to
    /// <paramref name="primaryGtid"/> (<see cref="SqlDialect.WaitForPosition"/>). Throws <see cref="TimeoutException"/> when it has not.
    /// </summary>
    public async Task WaitForZeroLagAsync(MySqlEndpoint replica, string primaryGtid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(primaryGtid);
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "The wait needs a positive bound.");
        }
        var wait = Dialect.WaitForPosition(primaryGtid, timeout);
        var rows = await client.QueryAsync(replica, wait, timeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        if (rows.Scalar == "0")
        {
            return;
        }
        if (rows.Scalar == Dialect.WaitTimedOut)
        {
            throw new TimeoutException($"The replica {replica} did not reach {primaryGtid} within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        throw new MySqlException($"{wait} on {replica} answered '{rows.Scalar}'.", MySqlFailure.ServerError);
    }

    private async Task<bool> IsOnAsync(MySqlEndpoint server, string query, CancellationToken cancellationToken) =>
        await client.ScalarAsync(server, query, cancellationToken).ConfigureAwait(false) is "1" or "ON";

    private Task<MySqlRows> ReplicaStatusAsync(MySqlEndpoint server, CancellationToken cancellationToken) =>
        client.QueryAsync(server, Dialect.ReplicaStatus, cancellationToken);

    private static bool Running(MySqlRows status, string column) =>
        string.Equals(status.Value(0, column), "Yes", StringComparison.OrdinalIgnoreCase)
        || string.Equals(status.Value(0, column), "Connecting", StringComparison.OrdinalIgnoreCase);
}
