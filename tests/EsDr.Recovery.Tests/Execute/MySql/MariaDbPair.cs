using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EsDr.Infra.Renderers.Database;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.Recovery.Tests.Execute.MySql;

/// <summary>
/// A real MariaDB primary and replica on loopback, configured by the rendered my.cnf and wired by the rendered
/// bootstrap SQL (the infra renderers), started once per test class and killed after it. A missing MariaDB
/// fails the class (Debian: mariadb-server, mariadb-client); it never skips.
/// </summary>
public sealed class MariaDbPair : IAsyncLifetime
{
    /// <summary>Quotes, a backslash, '#' and a blank: proves the option-file escaping against the real client.</summary>
    internal const string AdminPassword = "Dr\"pw\\'# x-9f3k";
    internal const string AppPassword = "app-pw-7Qz";
    internal const string ReplicationPassword = "repl-pw-2Lm";

    private readonly string _root = Directory.CreateTempSubdirectory("esdr-recovery-mariadb-").FullName;
    private readonly List<Process> _processes = [];
    private string _caPath = "";

    internal Server Primary { get; private set; } = null!;
    internal Server Replica { get; private set; } = null!;
    internal TimeSpan StartUp { get; private set; }
    internal MySqlClient Client { get; } = new();

    internal sealed record Server(string Name, int Port, string Socket, MySqlEndpoint Admin, MySqlEndpoint App);

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var tls = WriteTls(Path.Combine(_root, "tls"));
        _caPath = tls.CaPath;
        var started = await Task.WhenAll(StartAsync("primary", MySqlRole.Primary, 1, tls), StartAsync("replica", MySqlRole.Replica, 2, tls));
        (Primary, Replica) = (started[0], started[1]);

        // The replication account on both, so replication can be reversed after a failover (not binlogged).
        var account = ReplicationBootstrap.PrimarySql(new ReplicationAccount(["127.0.0.1"], ReplicationPassword));
        await RootAsync(Primary, account);
        await RootAsync(Replica, account);

        // Accounts and schema on the primary only: they reach the replica by replication.
        await RootAsync(Primary, $"""
            CREATE USER 'dr'@'127.0.0.1' IDENTIFIED BY {Literal(AdminPassword)};
            GRANT ALL PRIVILEGES ON *.* TO 'dr'@'127.0.0.1';
            CREATE DATABASE appdb;
            CREATE TABLE appdb.items (id INT AUTO_INCREMENT PRIMARY KEY, writer INT NOT NULL, payload VARCHAR(64) NOT NULL);
            CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY {Literal(AppPassword)};
            GRANT SELECT, INSERT, UPDATE, DELETE ON appdb.* TO 'app'@'127.0.0.1';
            """);
        await ReplicateAsync(Replica, from: Primary);
        var position = (await RootAsync(Primary, "SELECT @@gtid_current_pos")).Trim();
        var waited = (await RootAsync(Replica, $"SELECT MASTER_GTID_WAIT('{position}', 20)")).Trim();
        Assert.True(waited == "0", $"the replica did not catch up: {waited}");
        StartUp = clock.Elapsed;
    }

    /// <summary>Points <paramref name="replica"/> at <paramref name="from"/> from its own binlog position, as region rebuild does.</summary>
    internal async Task ReplicateAsync(Server replica, Server from)
    {
        await RootAsync(replica, "STOP SLAVE; SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos;");
        await RootAsync(replica, ReplicationBootstrap.ReplicaSql(new ReplicaSource("127.0.0.1", ReplicationPassword, _caPath) { PrimaryPort = from.Port }));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = MySqlClient.Parse(await RootAsync(replica, "SHOW SLAVE STATUS", columnNames: true));
            if (status.Value(0, "Slave_IO_Running") == "Yes" && status.Value(0, "Slave_SQL_Running") == "Yes")
            {
                return;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20),
                $"replication into {replica.Name} did not start: {status.Value(0, "Last_IO_Error")} {status.Value(0, "Last_SQL_Error")}");
            await Task.Delay(100);
        }
    }

    /// <summary>Runs SQL as root over the server's socket (batch; column names only when asked); fails the test on an error.</summary>
    internal static async Task<string> RootAsync(Server server, string sql, bool columnNames = false)
    {
        var start = new ProcessStartInfo(Tool("mariadb"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--no-defaults", $"--socket={server.Socket}", "--user=root", "-B", columnNames ? "--column-names" : "-N" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(sql);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"root SQL on {server.Name} failed: {await stderr}");
        return await stdout;
    }

    public async Task DisposeAsync()
    {
        // Killed, not shut down: nothing here needs to survive.
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task<Server> StartAsync(string name, MySqlRole role, uint serverId, (string CaPath, string CertPath, string KeyPath) tls)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var settings = new MySqlServerSettings(role, serverId, "127.0.0.1", new MySqlTlsFiles(tls.CaPath, tls.CertPath, tls.KeyPath))
        {
            Port = FreePort(),
            DataDir = Path.Combine(dir, "data"),
            Socket = Path.Combine(dir, "mysqld.sock"),
            PidFile = Path.Combine(dir, "mysqld.pid"),
            RequireSecureTransport = false,
        };
        await RunAsync(Tool("mariadb-install-db"), "--no-defaults", $"--datadir={settings.DataDir}", "--user=root",
            "--auth-root-authentication-method=normal", "--skip-test-db");
        var optionFile = Path.Combine(dir, "my.cnf");
        await File.WriteAllTextAsync(optionFile, MyCnf.Render(settings));

        var start = new ProcessStartInfo(Tool("mariadbd")) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--defaults-file={optionFile}");
        start.ArgumentList.Add("--user=root");
        var process = Process.Start(start)!;
        lock (_processes)
        {
            _processes.Add(process);
        }
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.Append(e.Data).Append('\n'); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.Append(e.Data).Append('\n'); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new Server(name, settings.Port, settings.Socket,
            new MySqlEndpoint(name, "127.0.0.1", settings.Port, "dr", AdminPassword) { CaPath = tls.CaPath },
            new MySqlEndpoint(name, "127.0.0.1", settings.Port, "app", AppPassword));
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(settings.Socket) || !await AnswersAsync(settings.Socket))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                lock (log)
                {
                    Assert.Fail($"{name} mariadbd did not come up:\n{log}");
                }
            }
            await Task.Delay(100);
        }
        return server;
    }

    private static async Task<bool> AnswersAsync(string socket)
    {
        var (exitCode, _) = await RunAsync(Tool("mariadb"), false, "--no-defaults", $"--socket={socket}", "--user=root", "-e", "SELECT 1");
        return exitCode == 0;
    }

    private static async Task RunAsync(string path, params string[] args)
    {
        var (exitCode, output) = await RunAsync(path, false, args);
        Assert.True(exitCode == 0, $"{path} failed ({exitCode}): {output}");
    }

    private static async Task<(int, string)> RunAsync(string path, bool _, params string[] args)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    internal static string Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"'{name}' is not installed; these tests need a real MariaDB (apt-get install mariadb-server mariadb-client).");

    internal static string Literal(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A throwaway CA and a server certificate for 127.0.0.1 (IP SAN), so the replica verifies its primary.</summary>
    private static (string CaPath, string CertPath, string KeyPath) WriteTls(string dir)
    {
        Directory.CreateDirectory(dir);
        var (from, to) = (DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EsDr recovery test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(from, to);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var cert = request.Create(ca, from, to, serial);

        var paths = (Path.Combine(dir, "ca.pem"), Path.Combine(dir, "server.pem"), Path.Combine(dir, "server-key.pem"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem());
        File.WriteAllText(paths.Item2, cert.ExportCertificatePem());
        File.WriteAllText(paths.Item3, key.ExportPkcs8PrivateKeyPem());
        return paths;
    }
}
