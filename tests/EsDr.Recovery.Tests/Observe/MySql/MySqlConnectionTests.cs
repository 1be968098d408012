using System.Diagnostics;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.Recovery.Tests.Operate;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Observe.MySql;

/// <summary>The driver against a real MariaDB whose certificate is issued by the pair's test CA for 127.0.0.1 only.</summary>
[Collection("live processes")]
public sealed class MySqlConnectionTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    [Fact]
    public async Task Every_statement_travels_over_TLS()
    {
        var rows = await pair.Client.QueryAsync(pair.Primary.Admin, "SHOW SESSION STATUS LIKE 'Ssl_version'");

        Assert.StartsWith("TLSv1.", rows.Value(0, "Value"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statements_reuse_a_pooled_connection()
    {
        var first = await pair.Client.ScalarAsync(pair.Primary.Admin, "SELECT CONNECTION_ID()");
        var second = await pair.Client.ScalarAsync(pair.Primary.Admin, "SELECT CONNECTION_ID()");

        Assert.NotNull(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_pooled_connection_the_server_dropped_is_replaced_not_reported_as_a_failure()
    {
        // A client of its own: its pool holds exactly the one connection killed here.
        using var client = new MySqlClient();
        var dropped = await client.ScalarAsync(pair.Primary.Admin, "SELECT CONNECTION_ID()");
        await pair.Client.QueryAsync(pair.Primary.Admin, $"KILL {dropped}");

        var next = await client.ScalarAsync(pair.Primary.Admin, "SELECT CONNECTION_ID()");

        Assert.NotEqual(dropped, next);
    }

    [Fact]
    public async Task A_server_whose_certificate_another_CA_issued_is_not_trusted()
    {
        var elsewhere = TestTls.Write(Path.Combine(Path.GetDirectoryName(pair.Primary.Admin.CaPath!)!, "..", "other-ca"));
        var endpoint = Endpoint("127.0.0.1", elsewhere.CaPath);

        var refused = await Assert.ThrowsAsync<MySqlException>(() => pair.Client.QueryAsync(endpoint, "SELECT 1"));

        Assert.Equal(MySqlFailure.Unreachable, refused.Failure);
        Assert.Contains("certificate", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(MariaDbPair.AdminPassword, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_stacks_CA_the_server_is_not_trusted()
    {
        var refused = await Assert.ThrowsAsync<MySqlException>(() => pair.Client.QueryAsync(Endpoint("127.0.0.1", caPath: null), "SELECT 1"));

        Assert.Equal(MySqlFailure.Unreachable, refused.Failure);
    }

    [Fact]
    public async Task A_CA_file_that_does_not_exist_fails_the_statement_as_a_MySQL_failure_naming_no_password()
    {
        var endpoint = Endpoint("127.0.0.1", Path.Combine(Path.GetTempPath(), $"esdr-no-such-ca-{Guid.NewGuid():N}.pem"));

        var failed = await Assert.ThrowsAsync<MySqlException>(() => pair.Client.QueryAsync(endpoint, "SELECT 1"));

        Assert.False(failed.ServerAnswered);
        Assert.Equal(MySqlFailure.Broken, failed.Failure);
        Assert.DoesNotContain(MariaDbPair.AdminPassword, failed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chain_is_verified_but_not_the_name()
    {
        // The certificate names 127.0.0.1 only; as a replica reaches its primary, the address is not checked against it.
        var rows = await pair.Client.QueryAsync(Endpoint("localhost", pair.Primary.Admin.CaPath), "SELECT 1 AS one");

        Assert.Equal("1", rows.Value(0, "one"));
    }

    [Fact]
    public async Task A_statement_that_outlives_its_time_is_reported_timed_out_not_as_a_server_error()
    {
        var clock = Stopwatch.StartNew();

        var late = await Assert.ThrowsAsync<MySqlException>(() =>
            pair.Client.QueryAsync(pair.Primary.Admin, "SELECT SLEEP(20)", TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal(MySqlFailure.TimedOut, late.Failure);
        Assert.False(late.ServerAnswered);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Values_are_read_as_the_server_prints_them()
    {
        var rows = await pair.Client.QueryAsync(pair.Primary.Admin, "SELECT @@global.read_only AS read_only, CAST(1 AS UNSIGNED) AS one, NULL AS nothing, 'x\ty' AS text");

        Assert.Equal(["read_only", "one", "nothing", "text"], rows.Columns);
        Assert.Equal(["0", "1", null, "x\ty"], rows.Rows[0]);
    }

    [Fact]
    public async Task Without_a_CA_file_recovery_trusts_the_database_hosts_through_the_stacks_CA_written_0600_and_removed_after()
    {
        string caCopy;
        using (var services = RecoveryServices.Create(DeploymentWithStackCa(), new ServiceOptions(), new NoPulumi(), TimeProvider.System))
        {
            var fra = services.Databases["fra"];
            caCopy = fra.CaPath!;

            Assert.NotEqual(pair.Primary.Admin.CaPath, caCopy);
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(caCopy) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.Equal("1", await services.MySqlClient.ScalarAsync(fra, "SELECT 1"));
        }
        Assert.False(File.Exists(caCopy));
    }

    [Fact]
    public void A_CA_file_given_by_ESDR_MYSQL_CA_FILE_is_used_over_the_stacks_CA()
    {
        using var services = RecoveryServices.Create(DeploymentWithStackCa(), new ServiceOptions { MySqlCaFile = pair.Primary.Admin.CaPath },
            new NoPulumi(), TimeProvider.System);

        Assert.All(services.Databases.Values, db => Assert.Equal(pair.Primary.Admin.CaPath, db.CaPath));
    }

    /// <summary>The prod example stack with its databases on the pair, no cluster to reach, and the pair's CA as the stack's <c>caCertificate</c>.</summary>
    private Deployment DeploymentWithStackCa()
    {
        var file = EsDr.Infra.Config.StackFile.Load(Path.Combine(OperatorTestbed.FindRoot(), "Pulumi.prod.yaml"), "es-dr");
        var config = StackConfigParser.Parse("es-dr", "prod", file.Config);
        var (view, types) = StackView.Offline(config);
        var regions = view.Regions.Select(r => new RegionAddress(r.Name, null,
            new DatabaseAddress(r.Name == "fra" ? "primary" : "replica", "127.0.0.1", r.Name == "fra" ? pair.Primary.Port : pair.Replica.Port), [])).ToList();
        var credentials = StackCredentials.Parse(new JsonObject
        {
            ["database"] = new JsonObject { ["user"] = "dr", ["password"] = MariaDbPair.AdminPassword },
        }.ToJsonString());
        return new Deployment(config, view, types, regions, File.ReadAllText(pair.Primary.Admin.CaPath!), credentials);
    }

    /// <summary>Building the services asks pulumi nothing.</summary>
    private sealed class NoPulumi : IPulumiCli
    {
        public Task<PulumiResult> RunAsync(PulumiCommand command, CancellationToken cancellationToken) => throw new InvalidOperationException("pulumi was asked");
        public Task<string> VersionAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("pulumi was asked");
    }

    private MySqlEndpoint Endpoint(string host, string? caPath) =>
        new("primary", host, pair.Primary.Port, "dr", MariaDbPair.AdminPassword) { CaPath = caPath };
}
