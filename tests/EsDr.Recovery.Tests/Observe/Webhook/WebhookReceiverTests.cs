using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EsDr.Recovery.Observe.Webhook;

namespace EsDr.Recovery.Tests.Observe.Webhook;

public sealed class WebhookReceiverTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "s3cret-token-for-tests";
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider time = new(Start);
    private readonly WebhookReceiver receiver;
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public WebhookReceiverTests()
    {
        receiver = new WebhookReceiver(
            new WebhookOptions { Url = "http://127.0.0.1:0" },
            WebhookToken.FromSecret(Secret),
            time);
    }

    public async Task InitializeAsync()
    {
        await receiver.StartAsync();
        client.BaseAddress = receiver.BaseAddress;
    }

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task Healthz_answers_200()
    {
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(0, receiver.BaseAddress.Port);
    }

    [Fact]
    public async Task Post_without_token_is_401_with_bearer_challenge()
    {
        using var response = await PostAsync(Payload(), token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Post_with_wrong_token_is_401()
    {
        using var response = await PostAsync(Payload(), token: Secret + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Malformed_json_is_400_saying_so()
    {
        using var response = await PostRawAsync(Encoding.UTF8.GetBytes("{\"version\": \"4\", \"alerts\": ["));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("malformed JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("duplicate top-level key", """{"version":"4","version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""")]
    [InlineData("duplicate label", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","alertname":"B"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""")]
    [InlineData("duplicate alert field", """{"version":"4","alerts":[{"status":"firing","status":"resolved","labels":{"alertname":"A"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""")]
    [InlineData("lone high surrogate", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"\ud800"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""")]
    [InlineData("lone low surrogate in a key", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","\udc00":"x"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}]}""")]
    [InlineData("not a date", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"yesterday","fingerprint":"f1"}]}""")]
    [InlineData("trailing garbage", """{"version":"4","alerts":[]} {}""")]
    [InlineData("nested too deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("empty body", "")]
    public async Task Malformed_json_is_400_and_queues_nothing(string what, string body)
    {
        using var response = await PostRawAsync(Encoding.UTF8.GetBytes(body));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {response.StatusCode}");
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_400()
    {
        var body = Encoding.UTF8.GetBytes(Payload());
        body[body.AsSpan().IndexOf("eu-1"u8)] = 0xFF;

        using var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Version_3_is_400_naming_the_version_field()
    {
        using var response = await PostAsync(Payload(version: "3"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("version", await ErrorFieldAsync(response));
    }

    [Fact]
    public async Task Alert_without_alertname_is_400_naming_the_label()
    {
        using var response = await PostAsync(Payload(alertName: null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("alerts[0].labels.alertname", await ErrorFieldAsync(response));
    }

    [Fact]
    public async Task Alert_without_fingerprint_is_400_naming_the_field()
    {
        using var response = await PostAsync(Payload(fingerprint: null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("alerts[0].fingerprint", await ErrorFieldAsync(response));
    }

    [Fact]
    public async Task Payload_without_alerts_is_400_naming_alerts()
    {
        using var response = await PostAsync("""{"version":"4","status":"firing","alerts":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("alerts", await ErrorFieldAsync(response));
    }

    [Fact]
    public async Task Body_over_one_mebibyte_is_413()
    {
        var big = new byte[(1024 * 1024) + 10];
        Array.Fill(big, (byte)' ');
        using var response = await PostRawAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Valid_payload_is_202_and_enqueues_exactly_one_alert()
    {
        using var response = await PostAsync(Payload());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        Assert.True(receiver.Alerts.TryRead(out var alert));
        Assert.Equal("fp-1", alert.Fingerprint);
        Assert.Equal("EsNodeDown", alert.AlertName);
        Assert.Equal("firing", alert.Status);
        Assert.Equal(Start, alert.ReceivedAt);
        Assert.Equal("eu-1", alert.Labels["region"]);
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Replaying_the_same_payload_five_times_enqueues_once()
    {
        for (var i = 0; i < 5; i++)
        {
            using var response = await PostAsync(Payload());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, Drain());
    }

    [Fact]
    public async Task The_same_alert_twice_in_one_notification_is_enqueued_once()
    {
        var alert = """{"status":"firing","labels":{"alertname":"A"},"startsAt":"2025-01-01T11:58:00Z","fingerprint":"f1"}""";
        using var response = await PostAsync($$"""{"version":"4","alerts":[{{alert}},{{alert}}]}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, Drain());
    }

    [Fact]
    public async Task Same_alert_after_the_dedupe_window_is_enqueued_again()
    {
        using (var first = await PostAsync(Payload()))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using (var again = await PostAsync(Payload()))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        Assert.Equal(2, Drain());
    }

    [Fact]
    public async Task Resolved_after_firing_is_enqueued_as_a_new_event()
    {
        using (var firing = await PostAsync(Payload(status: "firing")))
        {
            Assert.Equal(HttpStatusCode.Accepted, firing.StatusCode);
        }

        using (var resolved = await PostAsync(Payload(status: "resolved")))
        {
            Assert.Equal(HttpStatusCode.Accepted, resolved.StatusCode);
        }

        Assert.True(receiver.Alerts.TryRead(out var a));
        Assert.True(receiver.Alerts.TryRead(out var b));
        Assert.Equal(("firing", "resolved"), (a.Status, b.Status));
        Assert.False(receiver.Alerts.TryRead(out _));
    }

    [Fact]
    public async Task Burst_of_500_malformed_requests_never_crashes_it()
    {
        var random = new Random(4242);
        var valid = Encoding.UTF8.GetBytes(Payload());
        var bodies = new List<byte[]>(500);
        for (var i = 0; i < 500; i++)
        {
            if (i % 2 == 0)
            {
                var bytes = new byte[random.Next(0, 4096)];
                random.NextBytes(bytes);
                bodies.Add(bytes);
            }
            else
            {
                bodies.Add(valid[..random.Next(0, valid.Length - 1)]);
            }
        }

        var statuses = new HttpStatusCode[bodies.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, bodies.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) =>
            {
                using var response = await PostRawAsync(bodies[i], ct: ct);
                statuses[i] = response.StatusCode;
            });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.False(receiver.Alerts.TryRead(out _));

        using var after = await PostAsync(Payload());
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        Assert.Equal(1, Drain());
    }

    [Fact]
    public async Task Answers_before_the_consumer_reads_the_channel()
    {
        var consumerStarted = new TaskCompletionSource();
        var consumer = Task.Run(async () =>
        {
            await consumerStarted.Task;
            return await receiver.Alerts.ReadAsync();
        });

        using var response = await PostAsync(Payload());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(consumer.IsCompleted);
        Assert.Equal(1, receiver.Alerts.Count);

        consumerStarted.SetResult();
        var alert = await consumer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("fp-1", alert.Fingerprint);
    }

    [Fact]
    public void Token_to_string_never_reveals_the_secret()
    {
        Assert.DoesNotContain(Secret, WebhookToken.FromSecret(Secret).ToString(), StringComparison.Ordinal);
    }

    private int Drain()
    {
        var n = 0;
        while (receiver.Alerts.TryRead(out _))
        {
            n++;
        }

        return n;
    }

    private static async Task<string?> ErrorFieldAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.TryGetProperty("field", out var field) ? field.GetString() : null;
    }

    private Task<HttpResponseMessage> PostAsync(string json, string? token = Secret) =>
        PostRawAsync(Encoding.UTF8.GetBytes(json), token);

    private async Task<HttpResponseMessage> PostRawAsync(byte[] body, string? token = Secret, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/alerts", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, ct);
    }

    private static string Payload(string version = "4", string status = "firing", string? alertName = "EsNodeDown", string? fingerprint = "fp-1")
    {
        var labels = new Dictionary<string, string> { ["region"] = "eu-1", ["severity"] = "critical" };
        if (alertName is not null)
        {
            labels["alertname"] = alertName;
        }

        var alert = new Dictionary<string, object?>
        {
            ["status"] = status,
            ["labels"] = labels,
            ["annotations"] = new Dictionary<string, string> { ["summary"] = "node es-eu-1-2 down" },
            ["startsAt"] = "2025-01-01T11:58:00Z",
            ["endsAt"] = status == "resolved" ? "2025-01-01T12:05:00Z" : "0001-01-01T00:00:00Z",
            ["generatorURL"] = "http://prometheus:9090/graph",
        };
        if (fingerprint is not null)
        {
            alert["fingerprint"] = fingerprint;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = version,
            ["groupKey"] = "{}:{alertname=\"EsNodeDown\"}",
            ["truncatedAlerts"] = 0,
            ["status"] = status,
            ["receiver"] = "es-dr",
            ["groupLabels"] = new Dictionary<string, string> { ["alertname"] = "EsNodeDown" },
            ["commonLabels"] = labels,
            ["commonAnnotations"] = new Dictionary<string, string>(),
            ["externalURL"] = "http://alertmanager:9093",
            ["alerts"] = new[] { alert },
        });
    }
}
