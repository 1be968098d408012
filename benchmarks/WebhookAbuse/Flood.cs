using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace EsDr.Benchmarks.WebhookAbuse;

/// <summary>
/// The authenticated sender, in its own process: each of its connections posts without pause until the time is up,
/// cycling through ten requests: seven ~1 MiB notifications of 1000 new alerts, one alert with a 900 KB annotation,
/// 9000 minimal alerts (both over a limit), and one one-alert notification standing for Alertmanager's own.
/// Prints "kind|status|count" lines and "bytes|N".
/// </summary>
internal static class Flood
{
    public const string Large = "1000 new alerts (~1 MiB)";
    public const string Fat = "1 alert with a 900 KB annotation";
    public const string Wide = "9000 alerts (0.9 MiB)";
    public const string Small = "1 new alert (Alertmanager's own)";

    public static async Task RunAsync(Uri url, string token, TimeSpan duration, int connections)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
        using var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var counts = new ConcurrentDictionary<(string Kind, int Status), int>();
        var fat = Encoding.UTF8.GetBytes(Notification([Alert("fat", new string('d', 900_000))]));
        var wide = Encoding.UTF8.GetBytes(Notification(Enumerable.Range(0, 9000).Select(i =>
            $$"""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"w{{i:x8}}"}"""))); 
        long sent = 0, next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                var (kind, body) = (i % 10) switch
                {
                    < 7 => (Large, Encoding.UTF8.GetBytes(Notification(Enumerable.Range(0, 1000).Select(a => Alert($"n{i}-{a}", new string('d', 700)))))),
                    7 => (Fat, fat),
                    8 => (Wide, wide),
                    _ => (Small, Encoding.UTF8.GetBytes(Notification([Alert($"s{i}", "node down")]))),
                };
                var status = await PostAsync(client, token, body);
                counts.AddOrUpdate((kind, status), 1, (_, c) => c + 1);
                Interlocked.Add(ref sent, body.Length);
            }
        }));
        foreach (var ((kind, status), count) in counts.OrderBy(c => c.Key.Kind, StringComparer.Ordinal).ThenBy(c => c.Key.Status))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}|{status}|{count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes|{sent}"));
    }

    private static async Task<int> PostAsync(HttpClient client, string token, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/alerts", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0; // connection closed: counted as such
        }
    }

    private static string Notification(IEnumerable<string> alerts) =>
        """{"version":"4","groupKey":"{}:{alertname=\"EsNodeDown\"}","status":"firing","receiver":"esdr-recovery","alerts":[""" + string.Join(',', alerts) + "]}";

    private static string Alert(string fingerprint, string description) =>
        $$"""{"status":"firing","labels":{"alertname":"EsNodeDown","cluster":"es-fra","region":"fra","severity":"critical"},"annotations":{"summary":"node down","description":"{{description}}"},"startsAt":"2025-01-01T11:58:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=up","fingerprint":"{{fingerprint}}"}""";
}
