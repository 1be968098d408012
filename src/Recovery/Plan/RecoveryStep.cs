using System.Text.RegularExpressions;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Plan;

/// <summary>What a step does: one Elasticsearch call, one MySQL statement, one <c>pulumi</c> command, or a wait.</summary>
internal enum StepKind { Elasticsearch, MySql, Pulumi, Wait }

/// <summary>
/// One ordered, idempotent step of a recovery, as exact data. <see cref="Idempotency"/> says how a re-run
/// (after a crash) sees that the step is already done, so executing it twice changes nothing.
/// </summary>
internal abstract record RecoveryStep(string Idempotency)
{
    public abstract StepKind Kind { get; }

    /// <summary>What the step is for, in words.</summary>
    public abstract string Describe();

    /// <summary>The exact call or command, as the dry run prints it.</summary>
    public abstract string Render();
}

/// <summary>
/// An Elasticsearch REST call against a region's cluster, as exact data (stored with the plan, shown by the dry run).
/// Built from <see cref="ElasticsearchApi"/>'s typed calls, so the data is what the official client sends.
/// </summary>
internal sealed record ElasticsearchCall(string Region, string Method, string Path, string? Body, string Purpose, string Idempotency)
    : RecoveryStep(Idempotency)
{
    public static ElasticsearchCall Of(string region, TypedElasticsearchCall call, string purpose, string idempotency) =>
        new(region, call.Method, call.Path, call.Body, purpose, idempotency);

    public override StepKind Kind => StepKind.Elasticsearch;
    public override string Describe() => Purpose;
    public override string Render() => $"[es {Region}] {Method} {Path}" + (Body is null ? "" : $" {Body}");
}

/// <summary>A SQL statement against a region's MySQL/MariaDB server.</summary>
internal sealed record MySqlStatement(string Region, string Sql, string Purpose, string Idempotency) : RecoveryStep(Idempotency)
{
    public override StepKind Kind => StepKind.MySql;
    public override string Describe() => Purpose;
    public override string Render() => $"[mysql {Region}] {Sql}";
}

/// <summary>A <c>pulumi</c> command; its flags are checked against the CLI's own flag table when built.</summary>
internal sealed record PulumiCommand : RecoveryStep
{
    public PulumiCommand(IReadOnlyList<string> args, string purpose, string idempotency) : base(idempotency)
    {
        PulumiFlags.Validate(args);
        Args = args;
        Purpose = purpose;
    }

    public IReadOnlyList<string> Args { get; }
    public string Purpose { get; }
    public override StepKind Kind => StepKind.Pulumi;
    public override string Describe() => Purpose;
    public override string Render() => "pulumi " + string.Join(' ', Args.Select(ShellQuote));

    private static readonly Regex Plain = new(@"^[A-Za-z0-9_./:=@,+%-]+$", RegexOptions.CultureInvariant);

    internal static string ShellQuote(string arg) =>
        Plain.IsMatch(arg) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>Waits until a condition, given as data, holds.</summary>
internal sealed record WaitFor(string Description, WaitCondition Condition, string Idempotency) : RecoveryStep(Idempotency)
{
    public override StepKind Kind => StepKind.Wait;
    public override string Describe() => Description;
    public override string Render() => $"[wait] {Condition.Render()}";
}

/// <summary>Conditions a <see cref="WaitFor"/> step polls for.</summary>
internal abstract record WaitCondition
{
    public abstract string Render();
}

internal sealed record ClusterGreen(string Region) : WaitCondition
{
    public override string Render() => $"cluster in {Region} is green (GET /_cluster/health status=green)";
}

internal sealed record NodeJoined(string Region, string Node) : WaitCondition
{
    public override string Render() => $"node {Node} joined the cluster in {Region} (GET /_cat/nodes lists it)";
}

internal sealed record WritesStopped(string Region) : WaitCondition
{
    public override string Render() => $"writes to {Region} stopped (MySQL read_only=ON; its replicated indices are write-blocked by the steps before)";
}

internal sealed record CcrLagZero(string Region, IReadOnlyList<string> Indices) : WaitCondition
{
    public override string Render() =>
        $"CCR followers in {Region} caught up (GET /{string.Join(',', Indices)}/_ccr/stats: leader_global_checkpoint == follower_global_checkpoint)";
}

/// <summary>The replica has applied everything the primary has, judged in the stack's engine's <paramref name="Dialect"/>.</summary>
internal sealed record MySqlCaughtUp(string Replica, string Primary, SqlDialect Dialect) : WaitCondition
{
    public override string Render() =>
        $"MySQL replica in {Replica} caught up with {Primary} ({Dialect.CaughtUpRule})";
}

/// <summary>A plan: which recovery, and its ordered steps.</summary>
internal sealed record RecoveryPlan(RecoveryKind Kind, string Summary, IReadOnlyList<RecoveryStep> Steps)
{
    /// <summary>The dry run: every step numbered, with its exact call or command and how a re-run skips it.</summary>
    public string Render()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Kind).Append(": ").Append(Summary).Append('\n');
        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1,2}. {s.Describe()}\n");
            sb.Append("    ").Append(s.Render()).Append('\n');
            sb.Append("    idempotent: ").Append(s.Idempotency).Append('\n');
        }
        return sb.ToString();
    }
}

internal enum RecoveryKind { NodeRebuild, RegionFailover, RegionRebuild, Failback }
