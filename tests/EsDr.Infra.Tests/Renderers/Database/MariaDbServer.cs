using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EsDr.TestSupport;

namespace EsDr.Infra.Tests.Renderers.Database;

/// <summary>The outcome of one <c>mariadb</c> client run.</summary>
internal sealed record SqlResult(int ExitCode, string Output, string Error)
{
    public string[] Rows => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public SqlResult EnsureSuccess(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed ({ExitCode}): {Error}{Output}");
}

/// <summary>How a client connects over TCP: as whom, and with or without TLS.</summary>
internal sealed record TcpLogin(string User, string Password, string? CaPath);

/// <summary>
/// A real mariadbd on loopback, in its own directory, started from a rendered option file. A missing
/// MariaDB fails the test (Debian packages mariadb-server and mariadb-client), never skips it.
/// </summary>
internal sealed class MariaDbServer : IAsyncDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(20);
    private static readonly string[] SystemDirs = ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"];

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private MariaDbServer(string name, int port, string socket, Process process)
    {
        Name = name;
        Port = port;
        Socket = socket;
        _process = process;
    }

    public string Name { get; }
    public int Port { get; }
    public string Socket { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirs)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            $"'{name}' is not installed; these tests need a real MariaDB (apt-get install mariadb-server mariadb-client).");


    /// <summary>Creates the system tables in an empty datadir, with a password-less root for the socket.</summary>
    public static async Task InstallAsync(string dataDir)
    {
        var (exitCode, output) = await RunAsync(Tool("mariadb-install-db"), null,
            "--no-defaults", $"--datadir={dataDir}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db",
            // Its own temp dir: the bootstrap's temp-table names collide when two installs share /tmp.
            $"--tmpdir={Path.GetDirectoryName(Path.GetFullPath(dataDir))}");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed ({exitCode}): {output}");
        }
    }

    /// <summary>Starts mariadbd with <paramref name="optionFile"/> as its only option file and waits until it answers.</summary>
    public static async Task<MariaDbServer> StartAsync(string name, string optionFile, int port, string socket)
    {
        var start = new ProcessStartInfo(Tool("mariadbd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // --defaults-file must come first; --user=root because the tests run as root and mariadbd refuses otherwise.
        start.ArgumentList.Add($"--defaults-file={optionFile}");
        start.ArgumentList.Add("--user=root");
        var process = Process.Start(start)!;
        var server = new MariaDbServer(name, port, socket, process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} mariadbd exited with {process.ExitCode}:\n{server.Log}");
            }
            if (File.Exists(socket) && (await server.RootAsync("SELECT 1")).ExitCode == 0)
            {
                return server;
            }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"{name} mariadbd did not answer within 20 s:\n{server.Log}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Runs SQL as root over the socket (batch mode, tab-separated, no column names).</summary>
    public Task<SqlResult> RootAsync(string sql) =>
        ClientAsync(sql, $"--socket={Socket}", "--user=root", "--batch", "--skip-column-names");

    /// <summary>One row of a statement printed vertically (SHOW SLAVE STATUS), as name → value.</summary>
    public async Task<Dictionary<string, string>> RootVerticalAsync(string sql) =>
        Vertical((await ClientAsync(sql, $"--socket={Socket}", "--user=root", "--vertical")).EnsureSuccess(sql));

    /// <summary>Like <see cref="RootVerticalAsync"/>, over TLS as <paramref name="login"/>.</summary>
    public async Task<Dictionary<string, string>> TcpVerticalAsync(TcpLogin login, string sql) =>
        Vertical((await ClientAsync(sql,
            "--host=127.0.0.1", $"--port={Port}", $"--user={login.User}", $"--password={login.Password}", "--vertical",
            "--ssl", $"--ssl-ca={login.CaPath}", "--ssl-verify-server-cert")).EnsureSuccess(sql));

    private static Dictionary<string, string> Vertical(SqlResult result) =>
        result.Rows
            .Where(line => line.Contains(": ", StringComparison.Ordinal) && !line.StartsWith('*'))
            .Select(line => line.Split(": ", 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1], StringComparer.Ordinal);

    /// <summary>Runs SQL over TCP on 127.0.0.1 as <paramref name="login"/>: TLS verified against its CA, or no TLS at all.</summary>
    public Task<SqlResult> TcpAsync(TcpLogin login, string sql)
    {
        var args = new List<string>
        {
            "--host=127.0.0.1", $"--port={Port}", $"--user={login.User}", $"--password={login.Password}",
            "--batch", "--skip-column-names",
        };
        args.AddRange(login.CaPath is null
            ? ["--skip-ssl"]
            : ["--ssl", $"--ssl-ca={login.CaPath}", "--ssl-verify-server-cert"]);
        return ClientAsync(sql, [.. args]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task<SqlResult> ClientAsync(string sql, params string[] args)
    {
        var (exitCode, output, error) = await RunWithInputAsync(Tool("mariadb"), sql, ["--no-defaults", .. args]);
        return new SqlResult(exitCode, output, error);
    }

    private static async Task<(int, string)> RunAsync(string path, string? input, params string[] args)
    {
        var (exitCode, output, error) = await RunWithInputAsync(path, input, args);
        return (exitCode, output + error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string path, string? input, string[] args)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(ClientTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(path)} did not finish within {ClientTimeout.TotalSeconds} s.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.Append(line).Append('\n');
        }
    }
}
