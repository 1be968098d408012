using System.Globalization;

namespace EsDr.Recovery.Sql;

/// <summary>
/// MySQL 8.4 LTS (<c>es-dr:database.engine: mysql</c>). 8.4.0 removed START/STOP/RESET SLAVE, SHOW SLAVE STATUS
/// and CHANGE MASTER TO, leaving only the REPLICA/SOURCE spellings
/// (https://dev.mysql.com/doc/relnotes/mysql/8.4/en/news-8-4-0.html, "SQL statements removed"), and
/// <c>SHOW REPLICA STATUS</c> names its columns Replica_*/Source_* (https://dev.mysql.com/doc/refman/8.4/en/show-replica-status.html).
/// </summary>
internal sealed class MySql84Dialect : SqlDialect
{
    public override string Name => "mysql";

    /// <summary>
    /// MySQL's read_only lets accounts with CONNECTION_ADMIN (or SUPER) write; super_read_only stops them too, and
    /// setting it ON forces read_only ON (WL#6799, https://dev.mysql.com/worklog/task/?id=6799). The compiler's
    /// my.cnf fences replicas the same way.
    /// </summary>
    public override string FenceVariable => "super_read_only";

    /// <summary>Setting read_only OFF forces super_read_only OFF too (WL#6799): one statement lifts both.</summary>
    public override string MakeWritable => "SET GLOBAL read_only = OFF";

    /// <summary>super_read_only ON forces read_only ON, so read_only OFF means neither fence is up.</summary>
    public override string WritableState => "SELECT @@global.read_only";

    public override string ReplicaStatus => "SHOW REPLICA STATUS";
    public override string StopReplication => "STOP REPLICA";
    public override string ForgetPrimary => "RESET REPLICA ALL";

    /// <summary>gtid_executed: the set of every transaction applied here, as <c>uuid[:tag]:interval[:interval],…</c>.</summary>
    public override string GtidVariable => "gtid_executed";

    public override IReadOnlyList<string> GtidColumns => [GtidVariable];

    public override string IoRunningColumn => "Replica_IO_Running";
    public override string SqlRunningColumn => "Replica_SQL_Running";
    public override string SecondsBehindColumn => "Seconds_Behind_Source";

    public override string CaughtUpRule => $"{SecondsBehindColumn}=0 and {GtidVariable} contains the primary's";

    /// <summary>
    /// WAIT_FOR_EXECUTED_GTID_SET answers 0 once gtid_executed holds the whole set, 1 on timeout
    /// (WL#7796, https://dev.mysql.com/worklog/task/?id=7796; https://dev.mysql.com/doc/refman/8.4/en/gtid-functions.html).
    /// The set goes in re-rendered from its parse, so nothing but UUIDs, tags and numbers reaches the literal;
    /// whole seconds, rounded up.
    /// </summary>
    public override string WaitForPosition(string position, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (!GtidSet.TryParse(position, out var set))
            throw new ArgumentException($"Not a GTID set: '{position}'.", nameof(position));
        var seconds = ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return $"SELECT WAIT_FOR_EXECUTED_GTID_SET('{set}', {seconds})";
    }

    public override string WaitTimedOut => "1";

    /// <summary>
    /// Caught up when the replica's set contains the primary's (what GTID_SUBSET answers on the server): a
    /// replica may hold more — transactions of an earlier primary — and still miss nothing. An empty
    /// gtid_executed is observed as null, the empty set.
    /// </summary>
    public override bool HasApplied(string? replica, string? primary) =>
        GtidSet.TryParse(replica ?? "", out var applied) && GtidSet.TryParse(primary ?? "", out var wanted) && applied.Contains(wanted);

    internal override string Example => "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
}
