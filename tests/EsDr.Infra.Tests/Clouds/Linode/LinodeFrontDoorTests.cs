using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Topology;
using EsDr.TestSupport;

namespace EsDr.Infra.Tests.Clouds.Linode;

/// <summary>
/// The node-local front door behind the NodeBalancer, checked with the real HAProxy: its config passes
/// <c>haproxy -c</c>, and run against a stand-in Elasticsearch that speaks TLS it answers the balancer's
/// plain-HTTP check with Elasticsearch's own status while passing client TLS straight through, on the HTTP
/// listener to the HTTP port and on the transport listener to the transport port.
/// </summary>
public sealed class LinodeFrontDoorTests : IDisposable
{
    private const string NodeName = "shop-fra-es-1";
    private static readonly EsNode Node = new(1, 1, "fra-es-1", NodeName, "127.0.0.1", null, new Subnet("127.0.0.0/8", null), true);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Render_PassesHaproxyCheck()
    {
        var ca = _dir.Write("ca.crt", TestCa.Create().CaPem);
        var config = _dir.Write("haproxy.cfg", LinodeFrontDoor.Render(Node with { PrivateIp = "10.10.0.11" }, ca));

        var (exitCode, output) = await RealTool.RunAsync("haproxy", "-c", "-f", config);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BindsTheVpcAddressAndReachesElasticsearchOverVerifiedTls()
    {
        var config = LinodeFrontDoor.Render(Node with { PrivateIp = "10.10.0.11" }, "/etc/elasticsearch/certs/ca.crt");

        Assert.Contains("    bind 10.10.0.11:9201\n", config, StringComparison.Ordinal);
        Assert.Contains("    server es 10.10.0.11:9200\n", config, StringComparison.Ordinal);
        Assert.Contains(
            "    server es 10.10.0.11:9200 ssl verify required ca-file /etc/elasticsearch/certs/ca.crt verifyhost shop-fra-es-1 sni str(shop-fra-es-1)\n",
            config, StringComparison.Ordinal);
        Assert.Contains($"    http-request set-uri {LinodeAdapter.HealthCheckTarget}\n", config, StringComparison.Ordinal);
        // The transport listener, in front of Elasticsearch's transport port; long-lived connections.
        Assert.Contains("    bind 10.10.0.11:9301\n", config, StringComparison.Ordinal);
        Assert.Contains("    server es 10.10.0.11:9300\n", config, StringComparison.Ordinal);
        Assert.Contains("    timeout client 1h\n", config, StringComparison.Ordinal);
        Assert.Contains("    timeout server 1h\n", config, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, 200)] // green or yellow
    [InlineData(408, 408)] // red
    [InlineData(503, 503)] // no elected master
    public async Task TransportListener_HealthCheck_SeesElasticsearchsOwnStatus(int elasticsearch, int expected)
    {
        await using var es = await FakeElasticsearch.StartAsync(elasticsearch);
        await using var transport = await FakeElasticsearch.StartAsync(200);
        using var haproxy = await RunningFrontDoor.StartAsync(_dir, es, transport);

        // The NodeBalancer's transport config sends the same check to its own backends: this listener.
        var (status, _) = await PlainGetAsync(haproxy.TransportPort, LinodeAdapter.HealthCheckPath);

        Assert.Equal(expected, status);
        Assert.Equal(LinodeAdapter.HealthCheckTarget, Assert.Single(es.Paths));
        Assert.Empty(transport.Paths);
    }

    [Fact]
    public async Task TransportListener_Tls_PassesThroughToTheTransportPortUntouched()
    {
        await using var es = await FakeElasticsearch.StartAsync(200);
        await using var transport = await FakeElasticsearch.StartAsync(200);
        using var haproxy = await RunningFrontDoor.StartAsync(_dir, es, transport);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, haproxy.TransportPort);
        // The certificate is the transport stand-in's own: TLS ends there, not at the front door.
        await using var tls = new SslStream(client.GetStream(), false, (_, cert, _, _) => transport.Ca.Verifies(cert));
        await tls.AuthenticateAsClientAsync(NodeName);
        var (status, _) = await RequestAsync(tls, "GET", "/internal:transport/handshake");

        Assert.Equal(200, status);
        Assert.Equal("/internal:transport/handshake", Assert.Single(transport.Paths));
        Assert.Empty(es.Paths);
    }

    [Theory]
    [InlineData(200, 200)] // green or yellow
    [InlineData(408, 408)] // red: wait_for_status=yellow timed out
    [InlineData(503, 503)] // no elected master
    public async Task NodeBalancer_HealthCheck_SeesElasticsearchsOwnStatus(int elasticsearch, int expected)
    {
        await using var es = await FakeElasticsearch.StartAsync(elasticsearch);
        using var haproxy = await RunningFrontDoor.StartAsync(_dir, es);

        // Exactly what the NodeBalancer sends: its configured check path, in plain HTTP.
        var (status, _) = await PlainGetAsync(haproxy.Port, LinodeAdapter.HealthCheckPath);

        Assert.Equal(expected, status);
        Assert.Equal(LinodeAdapter.HealthCheckTarget, Assert.Single(es.Paths));
    }

    [Theory]
    [InlineData("GET", "/_search")]
    [InlineData("GET", "/_security/user")]
    [InlineData("DELETE", "/%5Fcluster/health")]
    public async Task FrontDoor_PlainHttp_AnswersNothingButClusterHealth(string method, string path)
    {
        await using var es = await FakeElasticsearch.StartAsync(200);
        using var haproxy = await RunningFrontDoor.StartAsync(_dir, es);

        var (status, _) = await PlainRequestAsync(haproxy.Port, method, path);

        Assert.Equal(403, status);
        Assert.Empty(es.Paths);
    }

    [Fact]
    public async Task FrontDoor_Tls_PassesThroughToElasticsearchUntouched()
    {
        await using var es = await FakeElasticsearch.StartAsync(200);
        using var haproxy = await RunningFrontDoor.StartAsync(_dir, es);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, haproxy.Port);
        await using var tls = new SslStream(client.GetStream(), false, (_, cert, _, _) => es.Ca.Verifies(cert));
        await tls.AuthenticateAsClientAsync(NodeName);
        var (status, _) = await RequestAsync(tls, "GET", "/logs-*/_search?q=error");

        Assert.Equal(200, status);
        Assert.Equal("/logs-*/_search?q=error", Assert.Single(es.Paths));
    }

    private static Task<(int Status, string Response)> PlainGetAsync(int port, string path) => PlainRequestAsync(port, "GET", path);

    private static async Task<(int Status, string Response)> PlainRequestAsync(int port, string method, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return await RequestAsync(client.GetStream(), method, path);
    }

    private static async Task<(int Status, string Response)> RequestAsync(Stream stream, string method, string path)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: es\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync();
        var statusLine = response.Split("\r\n")[0].Split(' ');
        return (int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture), response);
    }

    /// <summary>A throwaway CA and a node certificate it signed (SAN: the node name).</summary>
    private sealed class TestCa
    {
        private TestCa(X509Certificate2 ca, X509Certificate2 node)
        {
            Ca = ca;
            Node = node;
        }

        public X509Certificate2 Ca { get; }
        public X509Certificate2 Node { get; }
        public string CaPem => Ca.ExportCertificatePem();

        public static TestCa Create()
        {
            var now = DateTimeOffset.UtcNow;
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=front door test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));

            using var nodeKey = RSA.Create(2048);
            var nodeRequest = new CertificateRequest($"CN={NodeName}", nodeKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(NodeName);
            nodeRequest.CertificateExtensions.Add(san.Build());
            nodeRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var signed = nodeRequest.Create(ca, now.AddMinutes(-5), now.AddHours(1), [1, 2, 3, 4]);
            using var withKey = signed.CopyWithPrivateKey(nodeKey);
            // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
            var node = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            return new TestCa(ca, node);
        }

        public bool Verifies(X509Certificate? certificate)
        {
            if (certificate is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        }
    }

    /// <summary>Speaks TLS like Elasticsearch's HTTP layer; answers every request with one status and records its path.</summary>
    private sealed class FakeElasticsearch : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly int _status;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly List<string> _paths = [];

        private FakeElasticsearch(TestCa ca, int status)
        {
            Ca = ca;
            _status = status;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = Task.Run(AcceptAsync);
        }

        public TestCa Ca { get; }
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<string> Paths
        {
            get { lock (_paths) return _paths.ToList(); }
        }

        public static Task<FakeElasticsearch> StartAsync(int status) => Task.FromResult(new FakeElasticsearch(TestCa.Create(), status));

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(Ca.Node);
                    var head = new StringBuilder();
                    var buffer = new byte[1];
                    while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await tls.ReadAsync(buffer) == 1)
                        head.Append((char)buffer[0]);
                    var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
                    if (requestLine.Length < 2) return;
                    lock (_paths) _paths.Add(requestLine[1]);
                    var body = "{}";
                    await tls.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 {_status} Status\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
                }
                catch (IOException)
                {
                    // A client that went away (HAProxy probing) is not this test's concern.
                }
                catch (System.Security.Authentication.AuthenticationException)
                {
                    // Likewise a client that refused the certificate: the test's own assertions catch that.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
            _stop.Dispose();
        }
    }

    /// <summary>haproxy -db with the rendered front door config, on a free port, in front of the fake node.</summary>
    private sealed class RunningFrontDoor : IDisposable
    {
        private readonly Process _process;

        private RunningFrontDoor(Process process, int port, int transportPort)
        {
            _process = process;
            Port = port;
            TransportPort = transportPort;
        }

        public int Port { get; }

        /// <summary>The transport listener's port.</summary>
        public int TransportPort { get; }

        /// <summary>
        /// The front door in front of <paramref name="es"/> (HTTP) and, when given, <paramref name="transport"/>
        /// (the transport port; otherwise a port nothing listens on).
        /// </summary>
        public static async Task<RunningFrontDoor> StartAsync(TempDir dir, FakeElasticsearch es, FakeElasticsearch? transport = null)
        {
            var port = Loopback.FreePort();
            var transportPort = Loopback.FreePort();
            var ca = dir.Write("ca.crt", es.Ca.CaPem);
            var rendered = LinodeFrontDoor.Render(Node, ca, es.Port, port, transport?.Port ?? Loopback.FreePort(), transportPort);
            // A test runs unprivileged: drop only the privilege-dropping lines and the syslog target.
            var runnable = string.Join('\n', rendered.Split('\n').Where(l =>
                l.Trim() is not ("user haproxy" or "group haproxy" or "log /dev/log local0" or "log global")));
            var config = dir.Write($"front-door-{port}.cfg", runnable);
            var start = new ProcessStartInfo(Locate("haproxy")) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-db", "-f", config }) start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    // HAProxy binds every listener before it serves any: the last one answering means all do.
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    using var transportProbe = new TcpClient();
                    await transportProbe.ConnectAsync(IPAddress.Loopback, transportPort);
                    return new RunningFrontDoor(process, port, transportPort);
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(50);
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }

        private static string Locate(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin"])
                .Select(d => Path.Combine(d, tool))
                .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{tool}' is not installed; these tests need the real tool (apt-get install {tool}).");
    }
}
