using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using EsDr.Infra.Compilation;
using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>
/// The real haproxy, from the config the compiler renders for a standby region's HAProxy
/// (<see cref="CompiledStandbySettings"/>) bound to 127.0.0.1, in front of two <see cref="EsStandIn"/> nodes:
/// <see cref="Primary"/> stands in for the active region's three nodes (servers) and <see cref="Backup"/> for
/// the standby region's own three (<c>backup</c>). Both nodes' certificates come from
/// a throwaway CA, which is the config's <c>ca-file</c> and the only root the test client trusts.
/// </summary>
internal sealed class FailoverRig : IAsyncDisposable
{
    private static readonly TimeSpan AskLimit = TimeSpan.FromSeconds(2);

    private readonly TempDir dir;
    private readonly ThrowawayPki pki;

    private FailoverRig(TempDir dir, ThrowawayPki pki, EsStandIn primary, EsStandIn backup)
    {
        this.dir = dir;
        this.pki = pki;
        Primary = primary;
        Backup = backup;
    }

    public EsStandIn Primary { get; }

    public EsStandIn Backup { get; }

    /// <summary>The HTTP passthrough frontend's port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    public string Config { get; private set; } = "";

    public HaproxyProcess? Haproxy { get; private set; }

    /// <param name="primaryCertificateFromAnotherCa">
    /// Give the primary a certificate the config's CA did not sign, as a node with a wrong certificate.
    /// </param>
    public static async Task<FailoverRig> StartAsync(bool primaryCertificateFromAnotherCa = false)
    {
        var dir = new TempDir();
        var pki = new ThrowawayPki("EsDr live failover test CA");
        X509Certificate2 primaryCertificate;
        using (var stranger = new ThrowawayPki("Some other CA"))
        {
            primaryCertificate = (primaryCertificateFromAnotherCa ? stranger : pki).IssueLoopbackServerCertificate("fra-es-1");
        }
        var rig = new FailoverRig(
            dir,
            pki,
            EsStandIn.Start("fra-es-1", "fra", primaryCertificate),
            EsStandIn.Start("ams-es-1", "ams", pki.IssueLoopbackServerCertificate("ams-es-1")));
        try
        {
            await rig.StartHaproxyAsync();
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One request through the proxy, over TLS to whichever node it picks (the proxy passes TLS through):
    /// the answering node's name, or null when the connection, the handshake or the request failed.
    /// </summary>
    public async Task<string?> AskWhoAnswersAsync()
    {
        using var limit = new CancellationTokenSource(AskLimit);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, limit.Token);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "127.0.0.1",
                    CertificateChainPolicy = new X509ChainPolicy
                    {
                        TrustMode = X509ChainTrustMode.CustomRootTrust,
                        CustomTrustStore = { pki.Ca },
                        RevocationMode = X509RevocationMode.NoCheck,
                    },
                },
                limit.Token);
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray(), limit.Token);
            using var reader = new StreamReader(tls, Encoding.UTF8);
            var response = await reader.ReadToEndAsync(limit.Token);
            var parts = response.Split("\r\n\r\n", 2);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
            {
                return null;
            }
            using var body = JsonDocument.Parse(parts[1]);
            return body.RootElement.GetProperty("name").GetString();
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Haproxy?.Dispose();
        await Primary.DisposeAsync();
        await Backup.DisposeAsync();
        pki.Dispose();
        dir.Dispose();
    }

    private async Task StartHaproxyAsync()
    {
        var caFile = dir.Write("es-ca.crt", pki.CaPem);
        // A free port can be taken by another process before haproxy binds it: then try other ports.
        for (var attempt = 1; attempt <= 3 && Haproxy is null; attempt++)
        {
            (Port, var monitorPort) = FreeLoopbackPorts();
            var settings = CompiledStandbySettings() with
            {
                CaFilePath = caFile,
                BindAddress = "127.0.0.1",
                HttpPort = Port,
                MonitorPort = monitorPort,
                // Only the HTTP frontend is exercised here: no fixed ports that another test could hold, and the
                // loopback client is none of the stack's sources.
                ClusterPort = null,
                ProxyTransport = false,
                HttpSources = null,
            };
            // Each stack node becomes the stand-in of its region: fra's nodes the primary, ams's the backup.
            settings = settings with
            {
                Servers = settings.Servers.Select(server => server with
                {
                    Address = "127.0.0.1",
                    Port = server.Name.Contains("-fra-", StringComparison.Ordinal) ? Primary.Port
                        : server.Name.Contains("-ams-", StringComparison.Ordinal) ? Backup.Port
                        : throw new InvalidOperationException($"server {server.Name} is in neither region"),
                }).ToList(),
            };
            Config = HaproxyConfig.Render(settings);
            var runnable = Config;
            if (!Environment.IsPrivilegedProcess)
            {
                // Only root can switch to the haproxy user; everything else is run exactly as rendered.
                runnable = runnable.Replace("    user haproxy\n", "", StringComparison.Ordinal)
                    .Replace("    group haproxy\n", "", StringComparison.Ordinal);
            }
            Haproxy = await HaproxyProcess.TryStartAsync(dir.Write("haproxy.cfg", runnable), monitorPort);
        }
        Assert.True(Haproxy is not null, "haproxy found its ports taken three times in a row.");
    }

    /// <summary>
    /// What the compiler renders for the pushed config of a standby region's HAProxy: ams (DigitalOcean, standby)
    /// in a stack whose active region is fra (Linode), both fronted by HAProxy — fra's nodes as servers, ams's own
    /// as backups.
    /// </summary>
    public static HaproxyFrontendSettings CompiledStandbySettings()
    {
        var stack = Clouds.LinodeDigitalOceanHarness.Build(Clouds.LinodeDigitalOceanHarness.FraHaproxy, Clouds.LinodeDigitalOceanHarness.AmsHaproxy);
        return NodeUserData.HaproxySettings(stack.Topology, stack.Region("ams"), [stack.Regions["fra"]], firstBoot: false);
    }

    /// <summary>Two ports free on 127.0.0.1 right now (held together so they differ).</summary>
    private static (int, int) FreeLoopbackPorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }
}
