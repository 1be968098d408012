using System.Globalization;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Execute.MySql;

/// <summary>
/// Runs the plan's <see cref="MySqlStatement"/> steps against each region's server. The statements a promotion is
/// made of (fence, stop, reset, writable), in either dialect's spelling, go through <see cref="MySqlPromotion"/>'s
/// guards in the engine's own <paramref name="dialect"/>, so a re-run after a crash does nothing twice; any other
/// statement is run as written.
/// </summary>
internal sealed class MySqlStepRunner(IReadOnlyDictionary<string, MySqlEndpoint> endpoints, IMySqlClient client, SqlDialect dialect) : IStepRunner
{
    private readonly MySqlPromotion _promotion = new(client, dialect);

    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        if (step is not MySqlStatement statement)
        {
            throw new ArgumentException($"The MySQL runner runs MySQL statements only, not {step?.Kind.ToString() ?? "null"}.", nameof(step));
        }
        if (!endpoints.TryGetValue(statement.Region, out var endpoint))
        {
            throw new InvalidOperationException($"No MySQL endpoint is configured for region '{statement.Region}'.");
        }
        var done = SqlDialect.Recognise(statement.Sql) switch
        {
            PromotionStep.Fence => await _promotion.FenceAsync(endpoint, cancellationToken).ConfigureAwait(false),
            PromotionStep.MakeWritable => await _promotion.MakeWritableAsync(endpoint, cancellationToken).ConfigureAwait(false),
            PromotionStep.StopReplication => await _promotion.StopReplicationAsync(endpoint, cancellationToken).ConfigureAwait(false),
            PromotionStep.ForgetPrimary => await _promotion.ForgetPrimaryAsync(endpoint, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        if (done is not null)
        {
            return done.Count == 0 ? $"{endpoint}: already done, nothing run" : $"{endpoint}: {string.Join("; ", done)}";
        }
        var rows = await client.QueryAsync(endpoint, statement.Sql, cancellationToken).ConfigureAwait(false);
        return $"{endpoint}: {rows.Count.ToString(CultureInfo.InvariantCulture)} row(s)";
    }
}
