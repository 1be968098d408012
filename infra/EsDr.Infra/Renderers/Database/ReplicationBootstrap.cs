using System.Globalization;
using System.Text;

namespace EsDr.Infra.Renderers.Database;

/// <summary>The replication account the primary creates.</summary>
/// <param name="ReplicaHosts">
/// Host parts of the account (addresses or patterns such as <c>10.1.0.%</c>; names are never resolved,
/// see <see cref="MyCnf"/>). List both database VMs so the account also fits after a failover.
/// </param>
/// <param name="Password">Opaque: usually a Pulumi reference such as <c>${db-repl-password.result}</c>.</param>
public sealed record ReplicationAccount(IReadOnlyList<string> ReplicaHosts, string Password)
{
    public MySqlFlavor Flavor { get; init; } = MySqlFlavor.MariaDb;
    public string User { get; init; } = ReplicationBootstrap.DefaultUser;
}

/// <summary>Where the replica replicates from.</summary>
/// <param name="PrimaryHost">The primary's private address (or a Pulumi reference to it).</param>
/// <param name="Password">Opaque, as in <see cref="ReplicationAccount"/>.</param>
/// <param name="CaPath">PEM file on the replica holding the CA that signed the primary's certificate.</param>
public sealed record ReplicaSource(string PrimaryHost, string Password, string CaPath)
{
    public MySqlFlavor Flavor { get; init; } = MySqlFlavor.MariaDb;
    public int PrimaryPort { get; init; } = 3306;
    public string User { get; init; } = ReplicationBootstrap.DefaultUser;

    /// <summary>
    /// Check that the primary's certificate names <see cref="PrimaryHost"/> (an IP SAN when it is an
    /// address). Off only where certificates are issued before the address is known.
    /// </summary>
    public bool VerifyServerCertificate { get; init; } = true;

    /// <summary>Seconds between reconnect attempts; the server default of 60 delays catching up after a blip.</summary>
    public int ConnectRetrySeconds { get; init; } = 10;
}

/// <summary>
/// The SQL that sets up replication: <see cref="PrimarySql"/> on the primary, then
/// <see cref="ReplicaSql"/> on the replica, each as the local administrator (root over the socket).
/// Both are idempotent: applying either again leaves the servers as they were.
/// </summary>
/// <remarks>
/// String literals are escaped for the server's default <c>sql_mode</c> (quotes doubled, backslashes
/// doubled; <see cref="MyCnf"/> never sets NO_BACKSLASH_ESCAPES) and control characters are refused.
/// A password given as a Pulumi reference is substituted by Pulumi after rendering, unescaped, so a
/// generated password must come from letters, digits and <see cref="PasswordSpecialCharacters"/> only.
/// </remarks>
public static class ReplicationBootstrap
{
    public const string DefaultUser = "repl";

    /// <summary>
    /// Specials that are safe for a generated password (random:RandomPassword's overrideSpecial): no
    /// quote, backslash, <c>$</c> or <c>#</c>, so the value needs no escaping in SQL, shells, option files or Pulumi YAML.
    /// </summary>
    public const string PasswordSpecialCharacters = "!%*()-_=+[]{}<>:?";

    /// <summary>The longest replication password each server accepts in CHANGE MASTER/REPLICATION SOURCE.</summary>
    public static int MaxPasswordLength(MySqlFlavor flavor) => flavor == MySqlFlavor.MariaDb ? 96 : 32;

    /// <summary>
    /// Creates (or resets) the account with only REPLICATION SLAVE and REQUIRE SSL. Not written to the
    /// binary log: accounts are each server's own business (a server that becomes primary gets this
    /// script itself), so re-applying creates no transaction for the replica and moves no GTID.
    /// </summary>
    public static string PrimarySql(ReplicationAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(account.ReplicaHosts);
        if (account.ReplicaHosts.Count == 0)
        {
            throw new ArgumentException("The replication account needs at least one replica host.", nameof(account));
        }
        var user = SqlLiteral(account.User, "replication user");
        CheckUserLength(account.User, account.Flavor);
        var password = PasswordLiteral(account.Password, account.Flavor);

        var sql = new StringBuilder();
        sql.Append("SET SESSION sql_log_bin = 0;\n");
        foreach (var host in account.ReplicaHosts.Distinct(StringComparer.Ordinal))
        {
            var who = $"{user}@{SqlLiteral(host, "replica host")}";
            sql.Append(CultureInfo.InvariantCulture, $"CREATE USER IF NOT EXISTS {who} IDENTIFIED BY {password} REQUIRE SSL;\n");
            // An existing account gets the current password and TLS requirement too.
            sql.Append(CultureInfo.InvariantCulture, $"ALTER USER {who} IDENTIFIED BY {password} REQUIRE SSL;\n");
            // Least privilege, enforced on every run: whatever was granted by hand is taken away again.
            sql.Append(CultureInfo.InvariantCulture, $"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {who};\n");
            sql.Append(CultureInfo.InvariantCulture, $"GRANT REPLICATION SLAVE ON *.* TO {who};\n");
        }
        return sql.ToString();
    }

    /// <summary>
    /// Points the replica at the primary over verified TLS with GTID auto-positioning and starts it.
    /// Stopping first makes a re-run (or a changed primary) a clean restart from the replica's own
    /// GTID position; stopping a stopped replica is only a note.
    /// </summary>
    /// <remarks>
    /// MariaDB uses <c>MASTER_USE_GTID = slave_pos</c>: right for a replica that has only ever
    /// replicated. A demoted former primary must first set <c>gtid_slave_pos</c> to its
    /// <c>gtid_binlog_pos</c> (recovery's job), or it would ask for transactions from the beginning.
    /// </remarks>
    public static string ReplicaSql(ReplicaSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.PrimaryPort is < 1 or > 65535)
        {
            throw new ArgumentException($"The primary port must be 1-65535, got {source.PrimaryPort}.", nameof(source));
        }
        if (source.ConnectRetrySeconds < 1)
        {
            throw new ArgumentException($"The connect retry must be at least 1 s, got {source.ConnectRetrySeconds}.", nameof(source));
        }
        CheckUserLength(source.User, source.Flavor);
        var host = SqlLiteral(source.PrimaryHost, "primary host");
        var user = SqlLiteral(source.User, "replication user");
        var password = PasswordLiteral(source.Password, source.Flavor);
        var ca = SqlLiteral(source.CaPath, "CA path");
        var port = source.PrimaryPort.ToString(CultureInfo.InvariantCulture);
        var retry = source.ConnectRetrySeconds.ToString(CultureInfo.InvariantCulture);
        var verify = source.VerifyServerCertificate ? "1" : "0";

        string[] statements = source.Flavor == MySqlFlavor.MariaDb
            ?
            [
                "STOP SLAVE;",
                "CHANGE MASTER TO\n" + Options(
                    $"MASTER_HOST = {host}",
                    $"MASTER_PORT = {port}",
                    $"MASTER_USER = {user}",
                    $"MASTER_PASSWORD = {password}",
                    $"MASTER_CONNECT_RETRY = {retry}",
                    "MASTER_SSL = 1",
                    $"MASTER_SSL_CA = {ca}",
                    $"MASTER_SSL_VERIFY_SERVER_CERT = {verify}",
                    "MASTER_USE_GTID = slave_pos") + ";",
                "START SLAVE;",
            ]
            :
            [
                "STOP REPLICA;",
                "CHANGE REPLICATION SOURCE TO\n" + Options(
                    $"SOURCE_HOST = {host}",
                    $"SOURCE_PORT = {port}",
                    $"SOURCE_USER = {user}",
                    $"SOURCE_PASSWORD = {password}",
                    $"SOURCE_CONNECT_RETRY = {retry}",
                    "SOURCE_SSL = 1",
                    $"SOURCE_SSL_CA = {ca}",
                    $"SOURCE_SSL_VERIFY_SERVER_CERT = {verify}",
                    "SOURCE_AUTO_POSITION = 1") + ";",
                "START REPLICA;",
            ];
        return string.Join('\n', statements) + "\n";
    }

    /// <summary>
    /// A single-quoted SQL string literal. Quotes and backslashes are doubled, so the value can never
    /// end the literal early; control characters (line breaks, NUL, Ctrl-Z) are refused outright.
    /// </summary>
    internal static string SqlLiteral(string value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The {what} must not be empty.", nameof(value));
        }
        if (value.Any(char.IsControl))
        {
            throw new ArgumentException($"The {what} must not contain control characters (line breaks, NUL, Ctrl-Z).", nameof(value));
        }
        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static string PasswordLiteral(string password, MySqlFlavor flavor)
    {
        // A Pulumi reference's length says nothing about the password's; a literal one is checked here
        // so the server does not refuse CHANGE MASTER later.
        var isReference = password is not null
            && password.StartsWith("${", StringComparison.Ordinal) && password.EndsWith('}');
        if (!isReference && password is not null && password.Length > MaxPasswordLength(flavor))
        {
            throw new ArgumentException(
                $"The replication password may have at most {MaxPasswordLength(flavor)} characters for {flavor}, got {password.Length}.",
                nameof(password));
        }
        return SqlLiteral(password!, "replication password");
    }

    private static void CheckUserLength(string user, MySqlFlavor flavor)
    {
        var max = flavor == MySqlFlavor.MariaDb ? 80 : 32;
        if (user is not null && user.Length > max)
        {
            throw new ArgumentException($"The replication user may have at most {max} characters for {flavor}, got {user.Length}.", nameof(user));
        }
    }

    private static string Options(params string[] options) => "  " + string.Join(",\n  ", options);
}
