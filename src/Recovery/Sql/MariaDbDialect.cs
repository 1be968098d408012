using System.Globalization;

namespace EsDr.Recovery.Sql;

/// <summary>
/// MariaDB 10.11 (Debian 12's server, <c>es-dr:database.engine: mariadb</c>), spoken as the compiler's renderers
/// speak it. MariaDB accepts <c>SHOW REPLICA STATUS</c> and <c>STOP REPLICA</c> as aliases since 10.5.1, but its
/// status columns keep the <c>Slave_</c>/<c>Master_</c> names either way
/// (https://mariadb.com/kb/en/show-replica-status/), so the SLAVE spelling is kept throughout.
/// </summary>
internal sealed class MariaDbDialect : SqlDialect
{
    public override string Name => "mariadb";

    /// <summary>
    /// MariaDB has no super_read_only: read_only refuses updates from every account without READ ONLY ADMIN
    /// (from 10.5.2; https://mariadb.com/docs/server/ha-and-performance/standard-replication/read-only-replicas).
    /// </summary>
    public override string FenceVariable => "read_only";

    public override string MakeWritable => "SET GLOBAL read_only = OFF";
    public override string WritableState => "SELECT @@global.read_only";

    public override string ReplicaStatus => "SHOW SLAVE STATUS";
    public override string StopReplication => "STOP SLAVE";
    public override string ForgetPrimary => "RESET SLAVE ALL";

    /// <summary>MariaDB GTIDs are domain-server-sequence triples; gtid_current_pos is the newest per domain, applied or written here.</summary>
    public override string GtidVariable => "gtid_current_pos";

    /// <summary>gtid_slave_pos when gtid_current_pos is empty (a replica that has only ever applied).</summary>
    public override IReadOnlyList<string> GtidColumns => [GtidVariable, "gtid_slave_pos"];

    public override string IoRunningColumn => "Slave_IO_Running";
    public override string SqlRunningColumn => "Slave_SQL_Running";
    public override string SecondsBehindColumn => "Seconds_Behind_Master";

    public override string CaughtUpRule => $"{SecondsBehindColumn}=0 and {GtidVariable} equal";

    /// <summary>
    /// MASTER_GTID_WAIT answers 0 once gtid_slave_pos has reached the position in every domain it names, -1 when the
    /// timeout (seconds, fractions allowed) ran out (https://mariadb.com/kb/en/master_gtid_wait/).
    /// </summary>
    public override string WaitForPosition(string position, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(position);
        // Digits, dashes, commas and blanks only: the position goes into a string literal.
        if (position.Any(c => !(char.IsAsciiDigit(c) || c is '-' or ',' or ' ')))
            throw new ArgumentException($"Not a GTID position: '{position}'.", nameof(position));
        return $"SELECT MASTER_GTID_WAIT('{position}', {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)})";
    }

    public override string WaitTimedOut => "-1";

    /// <summary>One GTID per domain: caught up is the same position as the primary.</summary>
    public override bool HasApplied(string? replica, string? primary) => replica is not null && replica == primary;

    internal override string Example => "0-1-42";
}
