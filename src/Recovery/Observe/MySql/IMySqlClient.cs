namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Runs one SQL statement against a server and hands back its rows as text. The transport only: which statements
/// and which columns belong to the engine's <see cref="Sql.SqlDialect"/>. Fails with <see cref="MySqlException"/>.
/// </summary>
internal interface IMySqlClient
{
    /// <summary>Runs <paramref name="sql"/>, bounded by <paramref name="timeout"/> (null: the client's default).</summary>
    Task<MySqlRows> QueryAsync(MySqlEndpoint endpoint, string sql, TimeSpan? timeout, CancellationToken cancellationToken);
}

internal static class MySqlClientExtensions
{
    /// <summary>Runs <paramref name="sql"/> within the client's default time.</summary>
    public static Task<MySqlRows> QueryAsync(this IMySqlClient client, MySqlEndpoint endpoint, string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.QueryAsync(endpoint, sql, null, cancellationToken);
    }

    /// <summary>The first value of the first row.</summary>
    public static async Task<string?> ScalarAsync(this IMySqlClient client, MySqlEndpoint endpoint, string sql, CancellationToken cancellationToken = default) =>
        (await client.QueryAsync(endpoint, sql, cancellationToken).ConfigureAwait(false)).Scalar;
}
