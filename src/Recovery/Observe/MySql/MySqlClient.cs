using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Driver = MySqlConnector;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Runs SQL through MySqlConnector: one pool per endpoint, TLS always on with the server's chain verified against
/// the endpoint's CA but not its name (<c>SslMode=VerifyCA</c>: a server's certificate is issued before its public
/// address exists, as the replicas verify their primary), and every request bounded in time — connect (a pool slot
/// included), the statement, the driver's cancellation of it, and an outer deadline over all three. Credentials
/// reach the driver in memory only: no process, no file, no argv.
/// </summary>
/// <remarks>
/// Options: https://mysqlconnector.net/connection-options/ (SslMode, SslCa, Connection Timeout, Default Command Timeout,
/// Cancellation Timeout, pooling). Every value is handed back as invariant text, so the dialect's column names and
/// values read the same whatever the column's type.
/// </remarks>
internal sealed class MySqlClient : IMySqlClient, IDisposable
{
    /// <summary>Shown by the server as the connection's <c>program_name</c>.</summary>
    public const string ApplicationName = "es-dr-recovery";

    /// <summary>Statements in flight per server at most: a probe and a step; more wait for a slot, bounded by the connect time.</summary>
    public const int PoolSize = 5;

    /// <summary>How long the driver waits for the server to cancel a statement whose time ran out before it drops the connection.</summary>
    private static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Driver.MySqlDataSource> _pools = new(StringComparer.Ordinal);

    public MySqlClient(TimeSpan? commandTimeout = null, TimeSpan? connectTimeout = null)
    {
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(30);
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
        if (CommandTimeout < TimeSpan.FromSeconds(1) || ConnectTimeout < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(commandTimeout), "The driver counts timeouts in whole seconds: at least 1 s each.");
    }

    /// <summary>A statement's time when its caller gives none.</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary>Time to open a connection, or to get one from a full pool.</summary>
    public TimeSpan ConnectTimeout { get; }

    public async Task<MySqlRows> QueryAsync(MySqlEndpoint endpoint, string sql, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sql);
        var statementTime = timeout ?? CommandTimeout;
        var bound = ConnectTimeout + statementTime + CancellationGrace + TimeSpan.FromSeconds(1);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(bound);
        try
        {
            return await RunAsync(Pool(endpoint), sql, statementTime, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (the daemon's probe bound, shutdown): that is not the server's doing.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (deadline.IsCancellationRequested && e is OperationCanceledException or Driver.MySqlException)
        {
            throw DriverErrors.TimedOut(endpoint, bound, e);
        }
        catch (Driver.MySqlException e)
        {
            throw DriverErrors.Map(endpoint, e, statementTime);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw DriverErrors.Broken(endpoint, e);
        }
    }

    /// <summary>The driver's settings for <paramref name="endpoint"/>; the password is in it, so it never leaves this class.</summary>
    internal Driver.MySqlConnectionStringBuilder Settings(MySqlEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new Driver.MySqlConnectionStringBuilder
        {
            Server = endpoint.Host,
            Port = checked((uint)endpoint.Port),
            UserID = endpoint.User,
            Password = endpoint.Password,
            SslMode = Driver.MySqlSslMode.VerifyCA,
            SslCa = endpoint.CaPath ?? "",
            ConnectionTimeout = Seconds(ConnectTimeout),
            DefaultCommandTimeout = Seconds(CommandTimeout),
            CancellationTimeout = (int)Seconds(CancellationGrace),
            Pooling = true,
            MaximumPoolSize = PoolSize,
            // A pooled connection is reset (one round trip) when taken: a server restarted since is found out then,
            // and the driver opens a fresh connection instead of failing the statement.
            ConnectionReset = true,
            // Statements go as written: an @variable is the server's, never a driver parameter.
            AllowUserVariables = true,
            // Values as the server prints them (read_only is 1 or 0, never True).
            TreatTinyAsBoolean = false,
            ApplicationName = ApplicationName,
        };
    }

    public void Dispose()
    {
        foreach (var pool in _pools.Values) pool.Dispose();
        _pools.Clear();
    }

    private Driver.MySqlDataSource Pool(MySqlEndpoint endpoint) =>
        _pools.GetOrAdd(Settings(endpoint).ConnectionString, static settings => new Driver.MySqlDataSource(settings));

    private static async Task<MySqlRows> RunAsync(Driver.MySqlDataSource pool, string sql, TimeSpan statementTime, CancellationToken cancellationToken)
    {
        var connection = await pool.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                command.CommandTimeout = (int)Seconds(statementTime);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The first result set that has columns; every later one is read too, so an error in it is raised.</summary>
    private static async Task<MySqlRows> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        MySqlRows? first = null;
        do
        {
            if (reader.FieldCount == 0) continue;
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<IReadOnlyList<string?>>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader, i)).ToArray());
            }
            first ??= new MySqlRows(columns, rows);
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        return first ?? MySqlRows.Empty;
    }

    /// <summary>A value as invariant text: numbers in digits, binary strings (some system variables) as UTF-8.</summary>
    internal static string? Text(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.IsDBNull(ordinal)) return null;
        return reader.GetValue(ordinal) switch
        {
            string s => s,
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString(),
        };
    }

    private static uint Seconds(TimeSpan time) => (uint)Math.Ceiling(time.TotalSeconds);
}
