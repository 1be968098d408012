using System.Text.RegularExpressions;
using EsDr.Infra.Config;

namespace EsDr.Recovery.Sql;

/// <summary>What a promotion statement does, however a dialect spells it.</summary>
internal enum PromotionStep { Fence, StopReplication, ForgetPrimary, MakeWritable }

/// <summary>
/// Every statement recovery sends to a database server and every status column it reads, for one engine:
/// MariaDB keeps the master/slave vocabulary, MySQL 8.4 removed it. Text only — no connection, no client — so the
/// dialect outlives any transport. Chosen from the stack's config (<c>es-dr:database.engine</c>), which is also
/// what made the compiler install that engine.
/// </summary>
internal abstract partial class SqlDialect
{
    public static SqlDialect MariaDb { get; } = new MariaDbDialect();
    public static SqlDialect MySql84 { get; } = new MySql84Dialect();
    public static IReadOnlyList<SqlDialect> All { get; } = [MariaDb, MySql84];

    public static SqlDialect For(DatabaseEngine engine) => engine == DatabaseEngine.MySql ? MySql84 : MariaDb;

    /// <summary>A stack without <c>es-dr:database</c> has no server to speak to; MariaDB, the engine's default, stands in.</summary>
    public static SqlDialect For(StackConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return For(config.Database?.Engine ?? DatabaseEngine.MariaDb);
    }

    /// <summary>The dialect whose <see cref="Name"/> is <paramref name="name"/> (as stored plans spell it).</summary>
    public static SqlDialect Named(string name) =>
        All.SingleOrDefault(d => d.Name == name) ?? throw new FormatException($"unknown SQL dialect '{name}' (known: {string.Join(", ", All.Select(d => d.Name))})");

    /// <summary>The engine as config spells it: <c>mariadb</c> or <c>mysql</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The variable that fences the server: every client write, the admin's included, is refused while it is ON.</summary>
    public abstract string FenceVariable { get; }

    public string Fence => $"SET GLOBAL {FenceVariable} = ON";
    public string FenceState => $"SELECT @@global.{FenceVariable}";

    /// <summary>Lifts every write fence, so the server takes client writes.</summary>
    public abstract string MakeWritable { get; }

    /// <summary>Answers ON (or 1) while the server refuses ordinary client writes.</summary>
    public abstract string WritableState { get; }

    public abstract string ReplicaStatus { get; }
    public abstract string StopReplication { get; }

    /// <summary>Forgets the primary altogether (connection settings included), so a restart cannot resume replication.</summary>
    public abstract string ForgetPrimary { get; }

    /// <summary>The variable holding every transaction the server has applied.</summary>
    public abstract string GtidVariable { get; }

    public string GtidPosition => $"SELECT @@global.{GtidVariable}";

    /// <summary>The observer's one read of the server's variables: <c>read_only</c> and the GTID position columns.</summary>
    public string Variables => $"SELECT @@global.read_only AS read_only, {string.Join(", ", GtidColumns.Select(c => $"@@global.{c} AS {c}"))}";

    /// <summary>The GTID position columns of <see cref="Variables"/>, the first non-empty one taken.</summary>
    public abstract IReadOnlyList<string> GtidColumns { get; }

    public abstract string IoRunningColumn { get; }
    public abstract string SqlRunningColumn { get; }
    public abstract string SecondsBehindColumn { get; }

    /// <summary>How the caught-up wait reads in a dry run.</summary>
    public abstract string CaughtUpRule { get; }

    /// <summary>A query that waits, at most <paramref name="timeout"/>, until the server has applied <paramref name="position"/>; answers 0 when it has.</summary>
    public abstract string WaitForPosition(string position, TimeSpan timeout);

    /// <summary>What <see cref="WaitForPosition"/> answers when the wait ran out.</summary>
    public abstract string WaitTimedOut { get; }

    /// <summary>Whether a replica at <paramref name="replica"/> has applied everything a primary at <paramref name="primary"/> has.</summary>
    public abstract bool HasApplied(string? replica, string? primary);

    /// <summary>Every statement of this dialect (for the tests that pin its vocabulary).</summary>
    public IReadOnlyList<string> Statements =>
    [
        Fence, FenceState, MakeWritable, WritableState, ReplicaStatus, StopReplication, ForgetPrimary, GtidPosition, Variables,
        WaitForPosition(Example, TimeSpan.FromSeconds(1)),
    ];

    /// <summary>The replica status columns this dialect reads.</summary>
    public IReadOnlyList<string> StatusColumns => [IoRunningColumn, SqlRunningColumn, SecondsBehindColumn];

    /// <summary>Every column this dialect reads: the replica status's and the GTID position's.</summary>
    public IReadOnlyList<string> Columns => [.. StatusColumns, .. GtidColumns];

    /// <summary>A position this dialect accepts, for <see cref="Statements"/>.</summary>
    internal abstract string Example { get; }

    public string StatementFor(PromotionStep step) => step switch
    {
        PromotionStep.Fence => Fence,
        PromotionStep.StopReplication => StopReplication,
        PromotionStep.ForgetPrimary => ForgetPrimary,
        PromotionStep.MakeWritable => MakeWritable,
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>
    /// Which promotion step <paramref name="sql"/> is, in any dialect's spelling (case, blanks, a trailing
    /// semicolon and 1/0 for ON/OFF aside); null for any other statement. A step is the same act in every
    /// engine, so the runner carries it out in its server's own dialect.
    /// </summary>
    public static PromotionStep? Recognise(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var wanted = Normalise(sql);
        foreach (var dialect in All)
            foreach (var step in Enum.GetValues<PromotionStep>())
                if (Normalise(dialect.StatementFor(step)) == wanted)
                    return step;
        return null;
    }

    /// <summary>Upper case, single blanks, no trailing semicolon, ON/OFF for 1/0.</summary>
    internal static string Normalise(string sql)
    {
        var text = Blanks().Replace(sql.Trim().TrimEnd(';').Replace("=", " = ", StringComparison.Ordinal), " ").Trim().ToUpperInvariant();
        return text.EndsWith(" = 1", StringComparison.Ordinal) ? text[..^1] + "ON"
            : text.EndsWith(" = 0", StringComparison.Ordinal) ? text[..^1] + "OFF"
            : text;
    }

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Blanks();
}
