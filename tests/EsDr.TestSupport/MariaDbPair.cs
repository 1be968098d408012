using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EsDr.Infra.Renderers.Database;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.TestSupport;

/// <summary>
/// A real MariaDB primary and replica on loopback in a temp dir, configured by the rendered my.cnf and wired
/// by the rendered bootstrap SQL (the infra renderers). Used by the recovery tests (through an xunit fixture)
/// and the recovery benchmark. A missing MariaDB is an error (Debian: mariadb-server, mariadb-client); servers
/// are killed and the directory removed on dispose; every wait is bounded.
/// </summary>
internal sealed class MariaDbPair : IAsyncDisposable
{
    /// <summary>Quotes, a backslash, '#' and a blank: proves the connection-string escaping against the real server (and the benchmark CLI's option file).</summary>
    internal const string AdminPassword = "Dr\"pw\\'# x-9f3k";
    internal const string AppPassword = "app-pw-7Qz";
    internal const string ReplicationPassword = "repl-pw-2Lm";

    private readonly string _root = Directory.CreateTempSubdirectory("esdr-mariadb-").FullName;
    private readonly List<Process> _processes = [];
    private string _caPath = "";

    /// <summary>The test CA both servers' certificates are issued by (set once started).</summary>
    public string CaPath => _caPath;

    public Server Primary { get; private set; } = null!;
    public Server Replica { get; private set; } = null!;

    /// <summary>How long <see cref="StartAsync"/> took.</summary>
    public TimeSpan StartUp { get; private set; }
    /// <summary>The product's client (MySqlConnector, verified TLS against the pair's CA), shared by every test of a fixture.</summary>
    public MySqlClient Client { get; } = new(TimeSpan.FromSeconds(30));
    public string Version { get; private set; } = "";

    internal sealed record Server(string Name, int Port, string Socket, MySqlEndpoint Admin, MySqlEndpoint App);

    /// <summary>Starts the primary and the replica (replicating from it, caught up); returns how long that took.</summary>
    public async Task<TimeSpan> StartAsync(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var tls = TestTls.Write(Path.Combine(_root, "tls"));
        _caPath = tls.CaPath;
        var started = await Task.WhenAll(
            StartServerAsync("primary", MySqlRole.Primary, 1, tls, token),
            StartServerAsync("replica", MySqlRole.Replica, 2, tls, token));
        (Primary, Replica) = (started[0], started[1]);
        Version = (await RootAsync(Primary, "SELECT VERSION()", token)).Trim();

        var account = ReplicationBootstrap.PrimarySql(new ReplicationAccount(["127.0.0.1"], ReplicationPassword));
        // The replication account on both, so replication can be reversed after a failover (not binlogged).
        await RootAsync(Primary, account, token);
        await RootAsync(Replica, account, token);
        // Accounts and schema on the primary only: they reach the replica by replication.
        await RootAsync(Primary, $"""
            CREATE USER 'dr'@'127.0.0.1' IDENTIFIED BY {Literal(AdminPassword)};
            GRANT ALL PRIVILEGES ON *.* TO 'dr'@'127.0.0.1';
            CREATE DATABASE appdb;
            CREATE TABLE appdb.items (id INT AUTO_INCREMENT PRIMARY KEY, writer INT NOT NULL, payload VARCHAR(64) NOT NULL);
            CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY {Literal(AppPassword)};
            GRANT SELECT, INSERT, UPDATE, DELETE ON appdb.* TO 'app'@'127.0.0.1';
            """, token);
        await ReplicateAsync(Replica, from: Primary, token);
        StartUp = clock.Elapsed;
        return StartUp;
    }

    /// <summary>Points <paramref name="replica"/> (read_only) at <paramref name="from"/> from its own binlog position, as region rebuild does.</summary>
    public async Task ReplicateAsync(Server replica, Server from, CancellationToken token)
    {
        await RootAsync(replica, "SET GLOBAL read_only = ON; STOP SLAVE; SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos;", token);
        await RootAsync(replica, ReplicationBootstrap.ReplicaSql(new ReplicaSource("127.0.0.1", ReplicationPassword, _caPath) { PrimaryPort = from.Port }), token);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = Vertical(await RootAsync(replica, "SHOW SLAVE STATUS\\G", token, columnNames: true));
            if (status.GetValueOrDefault("Slave_IO_Running") == "Yes" && status.GetValueOrDefault("Slave_SQL_Running") == "Yes")
            {
                break;
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException(
                    $"replication into {replica.Name} did not start: {status.GetValueOrDefault("Last_IO_Error")} {status.GetValueOrDefault("Last_SQL_Error")}");
            }
            await Task.Delay(50, token);
        }
        var position = (await RootAsync(from, "SELECT @@gtid_current_pos", token)).Trim();
        var waited = (await RootAsync(replica, $"SELECT MASTER_GTID_WAIT('{position}', 20)", token)).Trim();
        if (waited != "0")
        {
            throw new InvalidOperationException($"{replica.Name} did not catch up with {from.Name}: {waited}");
        }
    }

    /// <summary>SQL as root over the server's socket through the <c>mariadb</c> client (set-up only; batch, column names only when asked); throws on an error.</summary>
    internal static async Task<string> RootAsync(Server server, string sql, CancellationToken token, bool columnNames = false)
    {
        var (exitCode, stdout, stderr) = await RunAsync(Tool("mariadb"), sql, TimeSpan.FromSeconds(30), token,
            "--no-defaults", $"--socket={server.Socket}", "--user=root", "-B", columnNames ? "--column-names" : "-N");
        return exitCode == 0 ? stdout : throw new InvalidOperationException($"root SQL on {server.Name} failed: {stderr}");
    }

    /// <summary>The client's <c>\G</c> output (<c>Name: value</c> per line) as a map.</summary>
    private static Dictionary<string, string> Vertical(string output) =>
        output.Split('\n').Select(line => line.Split(": ", 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(bound.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"could not stop mariadbd {process.Id}: {e.Message}");
            }
            process.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task<Server> StartServerAsync(string name, MySqlRole role, uint serverId, TestTls tls, CancellationToken token)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var settings = new MySqlServerSettings(role, serverId, "127.0.0.1", new MySqlTlsFiles(tls.CaPath, tls.CertificatePath, tls.KeyPath))
        {
            Port = Loopback.FreePort(),
            DataDir = Path.Combine(dir, "data"),
            Socket = Path.Combine(dir, "mysqld.sock"),
            PidFile = Path.Combine(dir, "mysqld.pid"),
            RequireSecureTransport = false,
        };
        var (installed, _, installError) = await RunAsync(Tool("mariadb-install-db"), null, TimeSpan.FromSeconds(60), token,
            "--no-defaults", $"--datadir={settings.DataDir}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db",
            // Its own temp dir: the bootstrap's temp-table names can collide in a /tmp shared with other test runs.
            $"--tmpdir={dir}");
        if (installed != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db for {name} failed: {installError}");
        }
        var optionFile = Path.Combine(dir, "my.cnf");
        await File.WriteAllTextAsync(optionFile, MyCnf.Render(settings), token);

        var start = new ProcessStartInfo(Tool("mariadbd")) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--defaults-file={optionFile}");
        start.ArgumentList.Add("--user=root");
        start.ArgumentList.Add($"--tmpdir={dir}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("mariadbd did not start");
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
            new MySqlEndpoint(name, "127.0.0.1", settings.Port, "app", AppPassword) { CaPath = tls.CaPath });
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(settings.Socket) || (await RunAsync(Tool("mariadb"), null, TimeSpan.FromSeconds(5), token,
                   "--no-defaults", $"--socket={settings.Socket}", "--user=root", "-e", "SELECT 1")).ExitCode != 0)
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                lock (log)
                {
                    throw new InvalidOperationException($"{name} mariadbd did not come up:\n{log}");
                }
            }
            await Task.Delay(100, token);
        }
        return server;
    }

    /// <summary>Runs a tool with optional stdin, killed after <paramref name="bound"/>.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string path, string? stdin, TimeSpan bound, CancellationToken token, params string[] args)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(token);
        var stderr = process.StandardError.ReadToEndAsync(token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(bound);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), deadline.Token);
                process.StandardInput.Close();
            }
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"{path} did not finish within {bound.TotalSeconds} s"));
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A SQL string literal (quotes doubled, backslashes escaped, as the server's default sql_mode reads them).</summary>
    internal static string Literal(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"'{name}' is not installed; this needs a real MariaDB (apt-get install mariadb-server mariadb-client).");

}
