using System.Diagnostics;
using System.Net.Sockets;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Tests.Renderers.Database;
using EsDr.Infra.Tests.Support;
using Xunit.Abstractions;
using EsDr.TestSupport;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>
/// An OVH database host's public face, on loopback: the real haproxy runs the rendered <c>mysql</c> frontend on
/// 127.0.0.2 in front of the real MariaDB primary on 127.0.0.1 (same port, as on the VM), and the real replica is
/// pointed at the frontend with the rendered replication SQL (TLS end to end, the chain checked, not the name). A
/// row written on the primary reaches the replica through it; a frontend whose sources do not match resets every
/// connection before MariaDB says a word.
/// </summary>
[Collection(LiveProcesses.Name)]
public sealed class HaproxyDatabaseTests(ITestOutputHelper output)
{
    private const string Frontend = "127.0.0.2";

    [Fact]
    public async Task Replica_ReplicatesThroughTheMysqlFrontend_AndOtherSourcesAreRefused()
    {
        var db = new MariaDbReplicationFixture();
        await db.InitializeAsync();
        try
        {
            using var dir = new TempDir();
            var port = db.Primary.Port;
            using var admitted = await StartAsync(dir, "admitted", new HaproxyDatabase(port, "ovhes-gra-db", "127.0.0.1", ["127.0.0.0/8"]));
            var clock = Stopwatch.StartNew();
            (await db.Replica.RootAsync(
                "STOP SLAVE;\n" + ReplicationBootstrap.ReplicaSql(
                    new ReplicaSource(Frontend, MariaDbReplicationFixture.ReplicationPassword, db.Tls.CaPath) { PrimaryPort = port, VerifyServerCertificate = false })))
                .EnsureSuccess("replica through haproxy");
            await db.WaitUntilReplicatingAsync();
            (await db.Primary.RootAsync($"INSERT INTO {MariaDbReplicationFixture.AppDatabase}.items VALUES (4242, 'through haproxy')")).EnsureSuccess("insert");
            await db.SyncAsync();
            output.WriteLine($"replica re-pointed through haproxy and caught up in {clock.ElapsedMilliseconds} ms");

            var status = await db.Replica.RootVerticalAsync("SHOW SLAVE STATUS");
            Assert.Equal((Frontend, "Yes"), (status["Master_Host"], status["Master_SSL_Allowed"]));
            Assert.Equal("through haproxy", (await db.Replica.RootAsync($"SELECT name FROM {MariaDbReplicationFixture.AppDatabase}.items WHERE id = 4242"))
                .EnsureSuccess("read").Output.Trim());
            Assert.True(await GreetingAsync(port) > 0, "the admitted frontend should pass MariaDB's greeting through");
        }
        finally
        {
            await db.DisposeAsync();
        }

        using var other = new TempDir();
        var closedPort = Loopback.FreePort();
        using var refusing = await StartAsync(other, "refusing", new HaproxyDatabase(closedPort, "ovhes-gra-db", "127.0.0.1", ["192.0.2.7/32"]));
        Assert.Equal(0, await GreetingAsync(closedPort));
    }

    private static async Task<HaproxyProcess> StartAsync(TempDir dir, string name, HaproxyDatabase database)
    {
        var monitorPort = Loopback.FreePort();
        var settings = new HaproxyFrontendSettings([new HaproxyServer("es-unused", "127.0.0.1", Loopback.FreePort())], dir.Write($"{name}-ca.crt", RendererSamples.ThrowawayCaPem()))
        {
            BindAddress = Frontend,
            MonitorPort = monitorPort,
            HttpPort = Loopback.FreePort(),
            HttpSources = [],
            Database = database,
        };
        var config = HaproxyConfig.Render(settings);
        if (!Environment.IsPrivilegedProcess)
            config = config.Replace("    user haproxy\n", "", StringComparison.Ordinal).Replace("    group haproxy\n", "", StringComparison.Ordinal);
        return await HaproxyProcess.TryStartAsync(dir.Write($"{name}.cfg", config), monitorPort, Frontend)
            ?? throw new InvalidOperationException("another process took one of haproxy's ports");
    }

    /// <summary>How many bytes the frontend sends first (MariaDB speaks first: its greeting), 0 when it closes at once.</summary>
    private static async Task<int> GreetingAsync(int port)
    {
        using var client = new TcpClient();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[256];
        try
        {
            await client.ConnectAsync(Frontend, port, bound.Token);
            return await client.GetStream().ReadAsync(buffer, bound.Token);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // Refused before a byte is read: haproxy resets the connection.
            return 0;
        }
    }
}
