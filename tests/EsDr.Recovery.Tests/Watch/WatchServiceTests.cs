using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

public sealed class WatchServiceTests
{
    private const string Secret = "watch-service-test-token";

    [Fact]
    public async Task AlertPostedOverLoopbackHttp_FeedsTheAlertsVantage_AndWithTheProbeConfirmsTheNodeDown()
    {
        var world = new WatchWorld();
        var handed = new List<Detection>();
        await using var service = WatchService.Create(
            WatchWorld.Options with { AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.NodeDown } },
            WatchWorld.Topology, [world.Fra, world.Dub], [],
            (new WebhookOptions { Url = "http://127.0.0.1:0" }, WebhookToken.FromSecret(Secret)),
            (d, _) =>
            {
                handed.Add(d);
                return Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("recorded by the test"));
            },
            world.Clock);
        await service.StartWebhookAsync(CancellationToken.None);
        world.Fra.Answers(WatchWorld.NodeMissing("fra", "es-fra-2"));

        await world.RoundsAsync(service.Loop, 1);
        Assert.False(AlertsView(service.Loop, "fra").FewerNodesThanExpected);

        using var client = new HttpClient { BaseAddress = service.WebhookAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/alerts", UriKind.Relative))
        {
            Content = new StringContent(Payload(AlertRules.ElasticsearchFewerNodesThanExpected, "fra"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await world.RoundsAsync(service.Loop, 1);
        var alerts = AlertsView(service.Loop, "fra");
        Assert.True(alerts.FewerNodesThanExpected);
        // A count, never the members; and the exporter counted them from a health answer, so the cluster answers.
        Assert.Equal(ClusterFacets.Reachability | ClusterFacets.Status | ClusterFacets.NodeCount, alerts.Observed);

        await world.RoundsAsync(service.Loop, 5);
        var detection = Assert.Single(handed);
        Assert.Equal((DiagnosisCode.NodeDown, "es-fra-2"), (detection.Diagnosis.Code, detection.Diagnosis.Node));
    }

    [Fact]
    public async Task RunAsync_ServesTheWebhookAndWatches_UntilCancelled()
    {
        var world = new WatchWorld();
        await using var service = WatchService.Create(
            WatchWorld.Options, WatchWorld.Topology, [world.Fra, world.Dub], [],
            (new WebhookOptions { Url = "http://127.0.0.1:0" }, WebhookToken.FromSecret(Secret)),
            (_, _) => Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped("unused")),
            world.Clock);
        using var stop = new CancellationTokenSource();

        var run = service.RunAsync(stop.Token);
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (service.Loop.Rounds < 3)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the loop did not run");
            world.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
        using var client = new HttpClient { BaseAddress = service.WebhookAddress };
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(service.Loop.History.Recent(), s => s.Vantage == AlertVantage.Name);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("/healthz", UriKind.Relative)));
    }

    private static ClusterObservation AlertsView(WatchLoop loop, string region) =>
        loop.History.Recent().Last(s => s.Vantage == AlertVantage.Name).Clusters.Single(c => c.Region == region);

    private static string Payload(string alertName, string region)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = alertName, ["region"] = region, ["severity"] = "critical" };
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = "4",
            ["groupKey"] = "{}:{alertname=\"" + alertName + "\"}",
            ["status"] = "firing",
            ["receiver"] = "es-dr",
            ["groupLabels"] = new Dictionary<string, string> { ["alertname"] = alertName },
            ["commonLabels"] = labels,
            ["commonAnnotations"] = new Dictionary<string, string>(),
            ["externalURL"] = "http://alertmanager:9093",
            ["alerts"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["status"] = "firing",
                    ["labels"] = labels,
                    ["annotations"] = new Dictionary<string, string> { ["summary"] = "fra has 2 of 3 nodes" },
                    ["startsAt"] = "2026-03-01T11:55:00Z",
                    ["endsAt"] = "0001-01-01T00:00:00Z",
                    ["fingerprint"] = "fp-fewer-nodes-fra",
                },
            },
        });
    }
}
