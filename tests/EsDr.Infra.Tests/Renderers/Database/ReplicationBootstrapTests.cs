using System.Text;
using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Tests.Renderers.Database;

public class ReplicationBootstrapTests
{
    private const string Reference = "${db-repl-password.result}";

    private static ReplicationAccount Account(string password = Reference, params string[] hosts) =>
        new(hosts.Length == 0 ? ["10.1.0.20", "10.0.0.20"] : hosts, password);

    private static ReplicaSource Source(MySqlFlavor flavor = MySqlFlavor.MariaDb, string password = Reference) =>
        new("10.0.0.20", password, "/etc/mysql/tls/ca.pem") { Flavor = flavor };

    /// <summary>
    /// Reads SQL the way MariaDB's lexer does in the default sql_mode: returns the statement text with
    /// every string literal replaced by <c>?</c>, and the literals' values, unescaped. Used to prove that
    /// hostile input stays inside its literal.
    /// </summary>
    internal static (string Shape, List<string> Literals) Lex(string sql)
    {
        var shape = new StringBuilder();
        var literals = new List<string>();
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] != '\'')
            {
                shape.Append(sql[i]);
                continue;
            }
            var value = new StringBuilder();
            for (i++; ; i++)
            {
                Assert.True(i < sql.Length, "unterminated string literal");
                if (sql[i] == '\\')
                {
                    value.Append(sql[++i]);
                }
                else if (sql[i] == '\'' && i + 1 < sql.Length && sql[i + 1] == '\'')
                {
                    value.Append('\'');
                    i++;
                }
                else if (sql[i] == '\'')
                {
                    break;
                }
                else
                {
                    value.Append(sql[i]);
                }
            }
            shape.Append('?');
            literals.Add(value.ToString());
        }
        return (shape.ToString(), literals);
    }

    [Fact]
    public void PrimarySql_MariaDb_CreatesAReplicationOnlyTlsAccountPerHostOutsideTheBinlog()
    {
        Assert.Equal(
            """
            SET SESSION sql_log_bin = 0;
            CREATE USER IF NOT EXISTS 'repl'@'10.1.0.20' IDENTIFIED BY '${db-repl-password.result}' REQUIRE SSL;
            ALTER USER 'repl'@'10.1.0.20' IDENTIFIED BY '${db-repl-password.result}' REQUIRE SSL;
            REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'repl'@'10.1.0.20';
            GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.1.0.20';
            CREATE USER IF NOT EXISTS 'repl'@'10.0.0.20' IDENTIFIED BY '${db-repl-password.result}' REQUIRE SSL;
            ALTER USER 'repl'@'10.0.0.20' IDENTIFIED BY '${db-repl-password.result}' REQUIRE SSL;
            REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'repl'@'10.0.0.20';
            GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.0.0.20';

            """.ReplaceLineEndings("\n"),
            ReplicationBootstrap.PrimarySql(Account()));
    }

    [Theory]
    [InlineData(MySqlFlavor.MariaDb)]
    [InlineData(MySqlFlavor.MySql)]
    public void PrimarySql_GrantsNothingButReplicationSlave(MySqlFlavor flavor)
    {
        var grants = ReplicationBootstrap.PrimarySql(Account() with { Flavor = flavor })
            .Split('\n').Where(line => line.StartsWith("GRANT ", StringComparison.Ordinal));

        Assert.All(grants, grant => Assert.StartsWith("GRANT REPLICATION SLAVE ON *.* TO ", grant, StringComparison.Ordinal));
    }

    [Fact]
    public void PrimarySql_DuplicateHosts_AreCreatedOnce() =>
        Assert.Single(ReplicationBootstrap.PrimarySql(Account(Reference, "10.1.0.%", "10.1.0.%")).Split('\n'),
            line => line.StartsWith("GRANT", StringComparison.Ordinal));

    [Fact]
    public void ReplicaSql_MariaDb_ReplicatesOverVerifiedTlsFromItsGtidPosition()
    {
        Assert.Equal(
            """
            STOP SLAVE;
            CHANGE MASTER TO
              MASTER_HOST = '10.0.0.20',
              MASTER_PORT = 3306,
              MASTER_USER = 'repl',
              MASTER_PASSWORD = '${db-repl-password.result}',
              MASTER_CONNECT_RETRY = 10,
              MASTER_SSL = 1,
              MASTER_SSL_CA = '/etc/mysql/tls/ca.pem',
              MASTER_SSL_VERIFY_SERVER_CERT = 1,
              MASTER_USE_GTID = slave_pos;
            START SLAVE;

            """.ReplaceLineEndings("\n"),
            ReplicationBootstrap.ReplicaSql(Source()));
    }

    [Fact]
    public void ReplicaSql_MySql_UsesSourceSyntaxAndAutoPositioning()
    {
        Assert.Equal(
            """
            STOP REPLICA;
            CHANGE REPLICATION SOURCE TO
              SOURCE_HOST = '10.0.0.20',
              SOURCE_PORT = 13306,
              SOURCE_USER = 'repl',
              SOURCE_PASSWORD = '${db-repl-password.result}',
              SOURCE_CONNECT_RETRY = 10,
              SOURCE_SSL = 1,
              SOURCE_SSL_CA = '/etc/mysql/tls/ca.pem',
              SOURCE_SSL_VERIFY_SERVER_CERT = 0,
              SOURCE_AUTO_POSITION = 1;
            START REPLICA;

            """.ReplaceLineEndings("\n"),
            ReplicationBootstrap.ReplicaSql(Source(MySqlFlavor.MySql) with { PrimaryPort = 13306, VerifyServerCertificate = false }));
    }

    [Fact]
    public void Sql_PasswordReference_AppearsOnlyWhereTheCallerPutIt()
    {
        var primary = ReplicationBootstrap.PrimarySql(Account(Reference, "10.1.0.20"));
        var replica = ReplicationBootstrap.ReplicaSql(Source());

        // Twice per host on the primary (create, alter), once on the replica, and no other interpolation.
        Assert.Equal(2, primary.Split(Reference).Length - 1);
        Assert.Equal(1, replica.Split(Reference).Length - 1);
        Assert.Equal(2, primary.Split("${").Length - 1);
        Assert.Equal(1, replica.Split("${").Length - 1);
    }

    [Fact]
    public void Sql_LiteralInputs_NeverInterpolate()
    {
        Assert.DoesNotContain("${", ReplicationBootstrap.PrimarySql(Account("s3cret")), StringComparison.Ordinal);
        Assert.DoesNotContain("${", ReplicationBootstrap.ReplicaSql(Source(password: "s3cret")), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Escaping => new()
    {
        { "plain", "'plain'" },
        { "o'brien", "'o''brien'" },
        { @"back\slash", @"'back\\slash'" },
        { @"\'", @"'\\'''" },
        { "'; DROP USER root; --", "'''; DROP USER root; --'" },
        { "\"double\" `tick`", "'\"double\" `tick`'" },
        { "ünïcødé", "'ünïcødé'" },
    };

    [Theory]
    [MemberData(nameof(Escaping))]
    public void SqlLiteral_DoublesQuotesAndBackslashes(string value, string literal) =>
        Assert.Equal(literal, ReplicationBootstrap.SqlLiteral(value, "test value"));

    public static TheoryData<string> Hostile =>
    [
        "o'brien",
        @"trailing\",
        @"\'",
        @"\\''\\",
        "'); DROP USER root; -- ",
        "' OR '1'='1",
        @"\'; GRANT ALL ON *.* TO 'repl'@'%'; -- ",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Sql_HostileInputs_StayInsideTheirLiterals(string hostile)
    {
        var account = new ReplicationAccount([hostile], hostile) { User = hostile };
        var (primaryShape, primaryLiterals) = Lex(ReplicationBootstrap.PrimarySql(account));
        var (replicaShape, replicaLiterals) = Lex(ReplicationBootstrap.ReplicaSql(
            new ReplicaSource(hostile, hostile, hostile) { User = hostile }));

        // The statements are exactly those of a harmless input, and every literal reads back as given.
        Assert.Equal(Lex(ReplicationBootstrap.PrimarySql(new ReplicationAccount(["h"], "p") { User = "u" })).Shape, primaryShape);
        Assert.Equal(Lex(ReplicationBootstrap.ReplicaSql(new ReplicaSource("h", "p", "c") { User = "u" })).Shape, replicaShape);
        Assert.All(primaryLiterals.Concat(replicaLiterals), literal => Assert.Equal(hostile, literal));
    }

    [Fact]
    public void PasswordSpecialCharacters_NeedNoEscaping()
    {
        var password = "Aa0" + ReplicationBootstrap.PasswordSpecialCharacters;

        Assert.Equal($"'{password}'", ReplicationBootstrap.SqlLiteral(password, "password"));
        Assert.DoesNotContain("$", password, StringComparison.Ordinal);
        Assert.DoesNotContain("#", password, StringComparison.Ordinal);
    }

    public static TheoryData<string> ControlCharacters => ["line\nbreak", "carriage\rreturn", "nul\0byte", "ctrl\u001az", "tab\tulator"];

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public void Sql_ControlCharacters_AreRefusedInEveryInput(string bad)
    {
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account(bad)));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account(Reference, bad)));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account() with { User = bad }));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source(password: bad)));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source() with { PrimaryHost = bad }));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source() with { CaPath = bad }));
    }

    [Theory]
    [InlineData(MySqlFlavor.MariaDb, 96)]
    [InlineData(MySqlFlavor.MySql, 32)]
    public void Sql_LiteralPasswordLongerThanTheServerTakes_IsRefused(MySqlFlavor flavor, int max)
    {
        ReplicationBootstrap.ReplicaSql(Source(flavor, new string('p', max)));

        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source(flavor, new string('p', max + 1))));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account(new string('p', max + 1)) with { Flavor = flavor }));
    }

    [Fact]
    public void Sql_LongPulumiReference_IsNotMistakenForALongPassword() =>
        Assert.Contains("${a-very-long-stack-specific-replication-password-resource-name.result}",
            ReplicationBootstrap.ReplicaSql(Source(MySqlFlavor.MySql, "${a-very-long-stack-specific-replication-password-resource-name.result}")),
            StringComparison.Ordinal);

    [Fact]
    public void Sql_InvalidArguments_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account() with { ReplicaHosts = [] }));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account("")));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.PrimarySql(Account() with { User = new string('u', 33), Flavor = MySqlFlavor.MySql }));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source() with { PrimaryPort = 0 }));
        Assert.Throws<ArgumentException>(() => ReplicationBootstrap.ReplicaSql(Source() with { ConnectRetrySeconds = 0 }));
    }
}
