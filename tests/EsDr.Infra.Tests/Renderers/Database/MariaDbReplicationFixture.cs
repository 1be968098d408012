using EsDr.TestSupport;
using System.Diagnostics;
using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Tests.Renderers.Database;

/// <summary>
/// A real MariaDB primary and replica on loopback, each in its own temporary directory, configured only
/// by the rendered my.cnf and wired only by the rendered bootstrap SQL. Started once for the test class.
/// </summary>
/// <remarks>
/// The primary does not require TLS of every client, so that the replication account's own
/// REQUIRE SSL is what refuses it a plain connection; the replica does, so require_secure_transport is
/// exercised too.
/// </remarks>
public sealed class MariaDbReplicationFixture : IAsyncLifetime
{
    /// <summary>Quotes, a backslash and a statement terminator: proves the escaping against the real parser.</summary>
    internal const string ReplicationPassword = "R3pl'\\\"; DROP USER root; -- !%*()";

    internal const string AppDatabase = "appdb";
    internal static readonly TcpLogin AppUserPlain = new("app", "app-pw", null);
    internal static readonly string[] ReplicaHosts = ["127.0.0.1", "10.1.0.%"];

    private readonly string _root = Directory.CreateTempSubdirectory("esdr-mariadb-").FullName;
    private readonly List<MariaDbServer> _servers = [];

    internal TestTls Tls { get; private set; } = null!;
    internal MariaDbServer Primary { get; private set; } = null!;
    internal MariaDbServer Replica { get; private set; } = null!;
    internal MySqlServerSettings PrimarySettings { get; private set; } = null!;
    internal MySqlServerSettings ReplicaSettings { get; private set; } = null!;
    internal string PrimarySql { get; private set; } = "";
    internal string ReplicaSql { get; private set; } = "";
    internal TimeSpan StartUp { get; private set; }

    internal TcpLogin AppUser => AppUserPlain with { CaPath = Tls.CaPath };
    internal TcpLogin ReplicationUser => new(ReplicationBootstrap.DefaultUser, ReplicationPassword, Tls.CaPath);

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Tls = TestTls.Write(Path.Combine(_root, "tls"));
        PrimarySettings = Settings("primary", MySqlRole.Primary, 1) with { RequireSecureTransport = false };
        ReplicaSettings = Settings("replica", MySqlRole.Replica, 2);

        await Task.WhenAll(MariaDbServer.InstallAsync(PrimarySettings.DataDir), MariaDbServer.InstallAsync(ReplicaSettings.DataDir));
        var started = await Task.WhenAll(Start("primary", PrimarySettings), Start("replica", ReplicaSettings));
        (Primary, Replica) = (started[0], started[1]);

        PrimarySql = ReplicationBootstrap.PrimarySql(new ReplicationAccount(ReplicaHosts, ReplicationPassword));
        ReplicaSql = ReplicationBootstrap.ReplicaSql(
            new ReplicaSource("127.0.0.1", ReplicationPassword, Tls.CaPath) { PrimaryPort = Primary.Port });
        (await Primary.RootAsync(PrimarySql)).EnsureSuccess("primary bootstrap");
        (await Replica.RootAsync(ReplicaSql)).EnsureSuccess("replica bootstrap");
        await WaitUntilReplicatingAsync();

        // The application's schema and accounts, created on the primary only: they reach the replica by replication.
        (await Primary.RootAsync($"""
            CREATE DATABASE {AppDatabase};
            CREATE TABLE {AppDatabase}.items (id INT PRIMARY KEY, name VARCHAR(100));
            CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-pw';
            GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON {AppDatabase}.* TO 'app'@'127.0.0.1';
            CREATE USER 'ops'@'127.0.0.1' IDENTIFIED BY 'ops-pw';
            GRANT SUPER ON *.* TO 'ops'@'127.0.0.1';
            GRANT ALL PRIVILEGES ON {AppDatabase}.* TO 'ops'@'127.0.0.1';
            """)).EnsureSuccess("application schema");
        await SyncAsync();
        StartUp = clock.Elapsed;
    }

    /// <summary>Waits until the replica has applied everything the primary has committed so far.</summary>
    internal async Task SyncAsync()
    {
        var position = (await Primary.RootAsync("SELECT @@gtid_current_pos")).EnsureSuccess("primary position").Output.Trim();
        var waited = (await Replica.RootAsync($"SELECT MASTER_GTID_WAIT('{position}', 20)")).EnsureSuccess("wait").Output.Trim();
        if (waited != "0")
        {
            throw new TimeoutException($"The replica did not reach {position} within 20 s: {await ReplicationErrorsAsync()}");
        }
    }

    /// <summary>Waits until both replication threads run (after START SLAVE they take a moment to connect).</summary>
    internal async Task WaitUntilReplicatingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var status = await Replica.RootVerticalAsync("SHOW SLAVE STATUS");
            if (status.GetValueOrDefault("Slave_IO_Running") == "Yes" && status.GetValueOrDefault("Slave_SQL_Running") == "Yes")
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Replication did not start within 20 s: {await ReplicationErrorsAsync()}");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        // Killed, not shut down: nothing here needs to survive, and it is the fastest way out.
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task<string> ReplicationErrorsAsync()
    {
        var status = await Replica.RootVerticalAsync("SHOW SLAVE STATUS");
        return $"IO: {status.GetValueOrDefault("Last_IO_Error")} SQL: {status.GetValueOrDefault("Last_SQL_Error")}\n" +
               $"primary log:\n{Primary.Log}\nreplica log:\n{Replica.Log}";
    }

    private MySqlServerSettings Settings(string name, MySqlRole role, uint serverId)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        return new MySqlServerSettings(role, serverId, "127.0.0.1", new MySqlTlsFiles(Tls.CaPath, Tls.CertificatePath, Tls.KeyPath))
        {
            Port = Loopback.FreePort(),
            DataDir = Path.Combine(dir, "data"),
            Socket = Path.Combine(dir, "mysqld.sock"),
            PidFile = Path.Combine(dir, "mysqld.pid"),
            SemiSync = true,
            // Short, so a test never waits long for an acknowledgement that cannot come.
            SemiSyncTimeoutMs = 2000,
        };
    }

    private async Task<MariaDbServer> Start(string name, MySqlServerSettings settings)
    {
        var optionFile = Path.Combine(Path.GetDirectoryName(settings.DataDir)!, "my.cnf");
        await File.WriteAllTextAsync(optionFile, MyCnf.Render(settings));
        var server = await MariaDbServer.StartAsync(name, optionFile, settings.Port, settings.Socket);
        lock (_servers)
        {
            _servers.Add(server);
        }
        return server;
    }
}
