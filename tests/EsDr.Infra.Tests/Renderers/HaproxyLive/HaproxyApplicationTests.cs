using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Support;
using Xunit.Abstractions;
using EsDr.TestSupport;

namespace EsDr.Infra.Tests.Renderers.HaproxyLive;

/// <summary>
/// The application frontend the compiler renders for a HAProxy region (linode-python-app's atl), run by the real
/// haproxy on loopback in front of two application stand-ins on 127.0.0.1 and 127.0.0.2 (one application port, as
/// rendered): a server whose health path stops answering 200 leaves the rotation within fall × inter, and returns
/// within rise × inter once it answers again. Every wait is bounded; measured times go to the test output.
/// </summary>
[Collection(LiveProcesses.Name)]
public sealed class HaproxyApplicationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    /// <summary>inter 1s × fall/rise 2, plus scheduling slack on a busy machine.</summary>
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(2 + 2);

    [Fact]
    public async Task UnhealthyServer_LeavesTheRotation_AndReturnsWhenHealthy()
    {
        var stack = Repository.Load("stacks/Pulumi.linode-python-app.yaml");
        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys));
        var region = compiled.Topology.Regions.Single(r => r.Name == "atl");
        var rendered = NodeUserData.HaproxySettings(compiled.Topology, region, [], firstBoot: true);
        Assert.Equal(2, rendered.Application!.Servers.Count);

        using var dir = new TempDir();
        var appPort = Loopback.FreePort();
        await using var first = AppStandIn.Start(IPAddress.Parse("127.0.0.1"), appPort, "app-1");
        await using var second = AppStandIn.Start(IPAddress.Parse("127.0.0.2"), appPort, "app-2");
        var (publicPort, monitorPort) = (Loopback.FreePort(), Loopback.FreePort());
        var settings = rendered with
        {
            BindAddress = "127.0.0.1",
            MonitorPort = monitorPort,
            ClusterPort = null,
            ProxyTransport = false,
            HttpSources = null,
            HttpPort = Loopback.FreePort(),
            Servers = [new HaproxyServer("es-unused", "127.0.0.1", Loopback.FreePort())],
            LocalServers = null,
            CaFilePath = dir.Write("ca.crt", RendererSamples.ThrowawayCaPem()),
            Application = rendered.Application with
            {
                PublicPort = publicPort,
                Port = appPort,
                Servers = [(rendered.Application.Servers[0].Name, "127.0.0.1"), (rendered.Application.Servers[1].Name, "127.0.0.2")],
                Sources = ["127.0.0.0/8"],
            },
        };
        var config = HaproxyConfig.Render(settings);
        Assert.Contains("option httpchk GET /healthz", config, StringComparison.Ordinal);
        if (!Environment.IsPrivilegedProcess)
            config = config.Replace("    user haproxy\n", "", StringComparison.Ordinal).Replace("    group haproxy\n", "", StringComparison.Ordinal);
        using var haproxy = await HaproxyProcess.TryStartAsync(dir.Write("haproxy.cfg", config), monitorPort)
            ?? throw new InvalidOperationException("another process took one of haproxy's ports");

        Assert.Equal(["app-1", "app-2"], (await AnswersAsync(publicPort, 8)).Distinct().Order());

        var clock = Stopwatch.StartNew();
        first.Healthy = false;
        await UntilAsync(async () => (await AnswersAsync(publicPort, 6)).All(a => a == "app-2"));
        var failover = clock.Elapsed;
        output.WriteLine($"unhealthy server out of rotation after {failover.TotalMilliseconds:F0} ms");
        Assert.True(failover < Promise, $"took {failover}");

        clock.Restart();
        first.Healthy = true;
        await UntilAsync(async () => (await AnswersAsync(publicPort, 6)).Contains("app-1"));
        output.WriteLine($"healthy again, back in rotation after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(clock.Elapsed < Promise, $"took {clock.Elapsed}");
    }

    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within the wait limit");
            await Task.Delay(100);
        }
    }

    /// <summary>Who answers <paramref name="count"/> requests through the frontend (null for a failed one).</summary>
    private static async Task<List<string?>> AnswersAsync(int port, int count)
    {
        var answers = new List<string?>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, limit.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"u8.ToArray(), limit.Token);
                var response = await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync(limit.Token);
                answers.Add(response.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) ? response.Split("\r\n\r\n", 2)[1] : null);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                answers.Add(null);
            }
        }
        return answers;
    }


    /// <summary>An application server stand-in: /healthz answers 200 while <see cref="Healthy"/>, else 503; any other path its name.</summary>
    private sealed class AppStandIn : IAsyncDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        private AppStandIn(TcpListener listener, string name)
        {
            this.listener = listener;
            loop = Task.Run(() => ServeAsync(name));
        }

        public volatile bool Healthy = true;

        public static AppStandIn Start(IPAddress address, int port, string name)
        {
            var listener = new TcpListener(address, port);
            listener.Start();
            return new AppStandIn(listener, name);
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            try { await loop; } catch (OperationCanceledException) { }
            stop.Dispose();
        }

        private async Task ServeAsync(string name)
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            var stream = client.GetStream();
                            var request = await new StreamReader(stream, Encoding.ASCII, leaveOpen: true).ReadLineAsync() ?? "";
                            var health = request.StartsWith("GET /healthz ", StringComparison.Ordinal);
                            var (status, body) = health ? (Healthy ? "200 OK" : "503 Service Unavailable", "") : ("200 OK", name);
                            var bytes = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
                            await stream.WriteAsync(bytes);
                        }
                        catch (Exception e) when (e is IOException or SocketException) { }
                    }
                });
            }
        }
    }
}
