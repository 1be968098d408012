using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Execute.Lease;

/// <summary>A real single-member etcd on loopback, started for a test class and killed after it. Fails when etcd is missing.</summary>
public class EtcdFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "esdr-etcd-" + Guid.NewGuid().ToString("N"));
    private readonly System.Text.StringBuilder _log = new();
    private readonly bool _tls;
    private Process? _process;

    public EtcdFixture()
        : this(tls: false)
    {
    }

    /// <param name="tls">Serve clients over TLS only, with a certificate for 127.0.0.1 from a throwaway CA (<see cref="Tls"/>).</param>
    protected EtcdFixture(bool tls) => _tls = tls;

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:0/");

    /// <summary>The CA and server certificate when serving TLS.</summary>
    internal TestTls? Tls { get; private set; }

    public async Task InitializeAsync()
    {
        var clientPort = Loopback.FreePort();
        var peerPort = Loopback.FreePort();
        Endpoint = new Uri($"{(_tls ? "https" : "http")}://127.0.0.1:{clientPort}/");
        var peer = $"http://127.0.0.1:{peerPort}";
        var info = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "lease-test", "--data-dir", _dataDir,
            "--listen-client-urls", Endpoint.AbsoluteUri.TrimEnd('/'), "--advertise-client-urls", Endpoint.AbsoluteUri.TrimEnd('/'),
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "lease-test=" + peer,
        })
        {
            info.ArgumentList.Add(arg);
        }
        if (_tls)
        {
            Tls = TestTls.Write(_dataDir + "-tls");
            foreach (var arg in new[] { "--cert-file", Tls.CertificatePath, "--key-file", Tls.KeyPath }) info.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("The etcd binary is required on PATH for the lease tests (Debian: apt-get install etcd-server etcd-client).", e);
        }
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Only to see it up: the lease tests check the certificate themselves.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited) break;
            try
            {
                var body = await http.GetStringAsync(new Uri(Endpoint, "health"));
                if (body.Contains("\"true\"", StringComparison.Ordinal)) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not up yet.
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"etcd did not become healthy within {StartTimeout}:\n{Log}");
    }

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
            _process.Dispose();
        }
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
        if (Directory.Exists(_dataDir + "-tls")) Directory.Delete(_dataDir + "-tls", recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

}

/// <summary>The same etcd, serving clients over TLS only.</summary>
public sealed class TlsEtcdFixture : EtcdFixture
{
    public TlsEtcdFixture()
        : base(tls: true)
    {
    }
}
