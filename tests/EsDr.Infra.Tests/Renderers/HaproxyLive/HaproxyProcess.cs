using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>
/// The real haproxy running a config in the foreground (<c>-db</c>) as a child process, killed on
/// dispose. A missing haproxy fails the test: a skipped live test proves nothing.
/// </summary>
internal sealed class HaproxyProcess : IDisposable
{
    private static readonly string[] SystemDirs = ["/usr/sbin", "/sbin", "/usr/local/sbin"];
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private HaproxyProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>What haproxy printed so far (alerts, warnings, server state changes).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts haproxy and returns it once its health endpoint answers on 127.0.0.1:<paramref name="monitorPort"/>
    /// (so every frontend is bound), or null when another process took one of the config's ports first.
    /// </summary>
    /// <param name="monitorAddress">Where the config binds its frontends (the health endpoint among them).</param>
    public static async Task<HaproxyProcess?> TryStartAsync(string configFile, int monitorPort, string monitorAddress = "127.0.0.1")
    {
        var path = Locate("haproxy");
        if (path is null)
        {
            Assert.Fail("'haproxy' is not installed; the live failover tests need the real tool (apt-get install haproxy).");
        }

        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // -n caps maxconn from the command line: the rendered 20000 needs about 40k file descriptors,
            // more than a container may allow, and these tests open a handful of connections.
            ArgumentList = { "-f", configFile, "-db", "-n", "1000" },
        };
        var haproxy = new HaproxyProcess(Process.Start(start)!);
        try
        {
            if (await haproxy.WaitUntilServingAsync(IPAddress.Parse(monitorAddress), monitorPort))
            {
                return haproxy;
            }
        }
        catch
        {
            haproxy.Dispose();
            throw;
        }
        haproxy.Dispose();
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    /// <returns>false when haproxy could not bind a port another process holds.</returns>
    private async Task<bool> WaitUntilServingAsync(IPAddress monitorAddress, int monitorPort)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartLimit)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // flushes the output readers
                if (Output.Contains("cannot bind socket", StringComparison.Ordinal))
                {
                    return false;
                }
                Assert.Fail($"haproxy exited with {process.ExitCode} before serving:\n{Output}");
            }
            if (await MonitorAnswersAsync(monitorAddress, monitorPort) && !process.HasExited)
            {
                return true;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"haproxy did not serve {HaproxyConfig.MonitorUri} on {monitorAddress}:{monitorPort} within {StartLimit.TotalSeconds}s:\n{Output}");
        return false;
    }

    private static async Task<bool> MonitorAnswersAsync(IPAddress address, int port)
    {
        using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address, port, attempt.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {HaproxyConfig.MonitorUri} HTTP/1.0\r\n\r\n"), attempt.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var statusLine = await reader.ReadLineAsync(attempt.Token);
            return statusLine is not null && statusLine.Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirs)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
