using System.Globalization;
using System.Text.RegularExpressions;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.MySql;

/// <summary>
/// Runs the plan's <see cref="MySqlStatement"/> steps against each region's server. The statements a
/// promotion is made of (fence, stop, reset, writable) go through <see cref="MySqlPromotion"/>'s guards, so a
/// re-run after a crash does nothing twice; any other statement is run as written.
/// </summary>
internal sealed partial class MySqlStepRunner(IReadOnlyDictionary<string, MySqlEndpoint> endpoints, MySqlClient client) : IStepRunner
{
    private readonly MySqlPromotion _promotion = new(client);

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
        var done = Normalise(statement.Sql) switch
        {
            "SET GLOBAL READ_ONLY = ON" or "SET GLOBAL READ_ONLY = 1" => await _promotion.FenceAsync(endpoint, cancellationToken).ConfigureAwait(false),
            "SET GLOBAL READ_ONLY = OFF" or "SET GLOBAL READ_ONLY = 0" => await _promotion.MakeWritableAsync(endpoint, cancellationToken).ConfigureAwait(false),
            "STOP SLAVE" or "STOP REPLICA" => await _promotion.StopReplicationAsync(endpoint, cancellationToken).ConfigureAwait(false),
            "RESET SLAVE ALL" or "RESET REPLICA ALL" => await _promotion.ForgetPrimaryAsync(endpoint, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        if (done is not null)
        {
            return done.Count == 0 ? $"{endpoint}: already done, nothing run" : $"{endpoint}: {string.Join("; ", done)}";
        }
        var rows = await client.QueryAsync(endpoint, statement.Sql, cancellationToken).ConfigureAwait(false);
        return $"{endpoint}: {rows.Count.ToString(CultureInfo.InvariantCulture)} row(s)";
    }

    /// <summary>Upper case, single blanks, no trailing semicolon: how the known statements are recognised.</summary>
    internal static string Normalise(string sql) =>
        Blanks().Replace(sql.Trim().TrimEnd(';').Replace("=", " = ", StringComparison.Ordinal), " ").Trim().ToUpperInvariant();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Blanks();
}
