using System.Globalization;
using System.Text;

namespace EsDr.Infra.Renderers.Database;

/// <summary>
/// Creates or resets a TLS-only account to exactly the given global privileges: not binary-logged (each host
/// creates its own accounts), idempotent, and every privilege not listed taken away on each run.
/// </summary>
internal static class AccountSql
{
    /// <param name="what">How errors name the account ("admin", "monitor").</param>
    /// <param name="resourceOptions">Appended after <c>REQUIRE SSL</c>, e.g. <c>WITH MAX_USER_CONNECTIONS 3</c>; empty for none.</param>
    public static StringBuilder CreateOrReset(string user, string password, string what, IReadOnlyList<string> privileges, string resourceOptions = "")
    {
        var who = Who(user, what);
        var secret = ReplicationBootstrap.SqlLiteral(password, $"{what} password");
        var options = resourceOptions.Length == 0 ? "" : " " + resourceOptions;
        var sql = new StringBuilder("SET SESSION sql_log_bin = 0;\n");
        sql.Append(CultureInfo.InvariantCulture, $"CREATE USER IF NOT EXISTS {who} IDENTIFIED BY {secret} REQUIRE SSL{options};\n");
        sql.Append(CultureInfo.InvariantCulture, $"ALTER USER {who} IDENTIFIED BY {secret} REQUIRE SSL{options};\n");
        sql.Append(CultureInfo.InvariantCulture, $"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {who};\n");
        sql.Append(CultureInfo.InvariantCulture, $"GRANT {string.Join(", ", privileges)} ON *.* TO {who};\n");
        return sql;
    }

    /// <summary>The account as SQL's <c>'user'@'%'</c>.</summary>
    public static string Who(string user, string what) => $"{ReplicationBootstrap.SqlLiteral(user, $"{what} user")}@'%'";
}
