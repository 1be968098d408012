using System.Net;
using System.Net.Sockets;
using System.Text;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Observe.Alertmanager;

namespace EsDr.Recovery.Tests.Observe.Alertmanager;

/// <summary>
/// The API client's request and what it takes of an answer, against a loopback stand-in that answers one fixed
/// response (the real Alertmanager's answers: <c>RealAlertmanagerPullTests</c>).
/// </summary>
public sealed class AlertmanagerApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Query_AsksForActiveAlertsOfTheStacksReceiver_NotSilencedNorInhibited()
    {
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(new Uri("http://127.0.0.1:9093/")));

        Assert.Equal(
            $"http://127.0.0.1:9093/api/v2/alerts?active=true&silenced=false&inhibited=false&receiver={AlertmanagerConfig.ReceiverName}",
            api.Query.AbsoluteUri);
    }

    [Fact]
    public void Parse_KeepsActiveAlertsRoutedToOurReceiver_AsTheWebhookWouldPassThemOn()
    {
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(new Uri("http://127.0.0.1:9093")));
        var body = "[" + string.Join(',',
            Gettable("aaaa000000000001", "EsClusterRed"),
            Gettable("aaaa000000000002", "OtherTeams", receiver: "pager"),
            Gettable("aaaa000000000003", "Muted", state: "suppressed"),
            Gettable("aaaa000000000004", "NoName", alertName: null),
            Gettable(new string('f', 65), "TooLongFingerprint")) + "]";

        var alert = Assert.Single(api.Parse(Encoding.UTF8.GetBytes(body), Now));

        Assert.Equal(("aaaa000000000001", "EsClusterRed", "firing"), (alert.Fingerprint, alert.AlertName, alert.Status));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 11, 55, 0, TimeSpan.Zero), alert.StartsAt);
        Assert.Null(alert.EndsAt); // Prometheus's resend deadline, left out as the webhook's firing alerts leave it
        Assert.Equal("fra", alert.Labels["region"]);
        Assert.Equal("red", alert.Annotations["summary"]);
        Assert.Equal(AlertmanagerConfig.ReceiverName, alert.Receiver);
        Assert.Equal(Now, alert.ReceivedAt);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("[{\"fingerprint\":\"a\",\"fingerprint\":\"b\"}]")]
    public void Parse_AnAnswerThatIsNotAnAlertList_Fails(string body)
    {
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(new Uri("http://127.0.0.1:9093")));

        Assert.Throws<AlertmanagerApiException>(() => api.Parse(Encoding.UTF8.GetBytes(body), Now));
    }

    [Fact]
    public async Task ReadAsync_AnAnswerLargerThanTheCap_Fails()
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, 50).Select(i => Gettable($"bbbb{i:x12}", "EsClusterRed"))) + "]";
        using var server = new OneAnswerServer("200 OK", body, chunked: true);
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(server.Url) { MaxResponseBytes = 4096 });

        var error = await Assert.ThrowsAsync<AlertmanagerApiException>(() => api.ReadAsync(CancellationToken.None));

        Assert.Contains("more than 4096 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_AnErrorStatus_FailsNamingIt()
    {
        using var server = new OneAnswerServer("503 Service Unavailable", "not ready");
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(server.Url));

        var error = await Assert.ThrowsAsync<AlertmanagerApiException>(() => api.ReadAsync(CancellationToken.None));

        Assert.Contains("answered 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NoAnswerWithinTheTimeout_Fails()
    {
        using var server = new OneAnswerServer(null, "");
        using var api = new AlertmanagerApi(new AlertmanagerApiOptions(server.Url) { Timeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<AlertmanagerApiException>(() => api.ReadAsync(CancellationToken.None));

        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_WithoutTheStacksCa_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new AlertmanagerApi(new AlertmanagerApiOptions(new Uri("https://alertmanager.example.com:9093"))));

        Assert.Contains("the stack's CA is the only trust anchor", error.Message, StringComparison.Ordinal);
    }

    private static string Gettable(string fingerprint, string name, string receiver = AlertmanagerConfig.ReceiverName, string state = "active", string? alertName = "")
    {
        var nameLabel = alertName is null ? "" : $"\"alertname\":\"{(alertName.Length == 0 ? name : alertName)}\",";
        return "{\"annotations\":{\"summary\":\"red\"},\"endsAt\":\"2026-03-01T12:04:00.000Z\",\"fingerprint\":\"" + fingerprint + "\","
            + "\"receivers\":[{\"name\":\"" + receiver + "\"}],\"startsAt\":\"2026-03-01T11:55:00.000Z\","
            + "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"" + state + "\"},\"updatedAt\":\"2026-03-01T11:59:30.000Z\","
            + "\"generatorURL\":\"http://prometheus:9090/graph\",\"labels\":{" + nameLabel + "\"region\":\"fra\",\"severity\":\"critical\"}}";
    }

    /// <summary>A loopback HTTP/1.1 server giving every connection one fixed answer; a null status never answers.</summary>
    private sealed class OneAnswerServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly List<TcpClient> held = [];

        public OneAnswerServer(string? status, string body, bool chunked = false)
        {
            listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            _ = Task.Run(() => ServeAsync(status, body, chunked));
        }

        public Uri Url { get; }

        private async Task ServeAsync(string? status, string body, bool chunked)
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                lock (held)
                    held.Add(client);
                if (status is null)
                    continue; // holds the connection, says nothing
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var seen = new StringBuilder();
                    while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer, stop.Token);
                        if (n == 0) break;
                        seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }
                    var bytes = Encoding.UTF8.GetBytes(body);
                    var head = $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : $"Content-Length: {bytes.Length}\r\n\r\n");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop.Token);
                    if (chunked)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), stop.Token);
                        await stream.WriteAsync(bytes, stop.Token);
                        await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray(), stop.Token);
                    }
                    else
                    {
                        await stream.WriteAsync(bytes, stop.Token);
                    }
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // the client gave up first
                }
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            lock (held)
            {
                foreach (var client in held)
                    client.Dispose();
            }
            stop.Dispose();
        }
    }
}
