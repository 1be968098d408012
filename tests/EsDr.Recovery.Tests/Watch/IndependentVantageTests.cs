using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// A vantage is an independent observer (the region's probe, a peer region, the monitoring site): no region moves on
/// one vantage's word unless <c>es-dr:recovery.analysis.minVantagesForRegionActions</c> says so, and a cluster that
/// still answers the exporter is red, not down, whichever alerts fire with it.
/// </summary>
public sealed class IndependentVantageTests
{
    private const string Setting = "es-dr:recovery.analysis.minVantagesForRegionActions";

    /// <summary>fra's own probe gets no readable answer (unknown, not down), so the other vantages speak alone.</summary>
    private static WatchWorld FraUnprobed()
    {
        var world = new WatchWorld();
        world.Fra.Answer = _ => throw new InvalidOperationException("unreadable answer");
        return world;
    }

    [Fact]
    public async Task RedCluster_ReportedByTheAlerts_WithItsEndpointAlertToo_IsClusterRed_NeverRegionDown()
    {
        var world = FraUnprobed();
        var loop = world.Loop(alerts: true);
        world.Fires(AlertRules.EndpointProbeDown, "fra", "fp-endpoint");
        world.Fires(AlertRules.ElasticsearchClusterRed, "fra", "fp-red");

        await world.RoundsAsync(loop, 40); // past the red grace period

        Assert.Contains(loop.Active, d => (d.Code, d.Region) == (DiagnosisCode.ClusterRed, "fra"));
        Assert.DoesNotContain(loop.Active, d => d.Code == DiagnosisCode.RegionDown);
        Assert.DoesNotContain(loop.Decisions, d => d.Diagnosis.Code == DiagnosisCode.RegionDown);
        Assert.Empty(world.Handed);
    }

    [Fact]
    public async Task RegionDown_FromTheAlertsVantageAlone_IsNotActedOnByDefault_AndSaysWhichSettingWouldAllowIt()
    {
        var world = FraUnprobed();
        var loop = world.Loop(alerts: true);
        world.Fires(AlertRules.EndpointProbeDown, "fra");

        await world.RoundsAsync(loop, 20);

        Assert.Empty(world.Handed);
        var decision = Assert.Single(loop.Decisions);
        Assert.Equal((WatchAction.NeedsOperator, DiagnosisCode.RegionDown, "fra"), (decision.Action, decision.Diagnosis.Code, decision.Diagnosis.Region));
        Assert.Contains(decision.Diagnosis.Evidence, e => e.Contains("confirmed by 1 vantage (alerts)", StringComparison.Ordinal)
                                                          && e.Contains(Setting, StringComparison.Ordinal));
        Assert.Equal((2, false), (decision.Diagnosis.Confirmation!.Required, decision.Diagnosis.Confirmation.Allowed));
        Assert.Equal(["alerts"], decision.Diagnosis.Confirmation.Vantages);
    }

    [Fact]
    public async Task RegionDown_FromTheAlertsVantageAlone_WithTheExplicitSetting_IsHandedOver_AndSaysTheSettingAllowedIt()
    {
        var world = FraUnprobed();
        var options = WatchWorld.Options with
        {
            AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.RegionDown },
            Thresholds = AnalysisThresholds.Default with { MinVantagesForRegionActions = 1 },
        };
        var loop = world.Loop(alerts: true, options: options);
        world.Fires(AlertRules.EndpointProbeDown, "fra");

        await world.RoundsAsync(loop, 20);

        var detection = Assert.Single(world.Handed);
        Assert.Equal((DiagnosisCode.RegionDown, "fra"), (detection.Diagnosis.Code, detection.Diagnosis.Region));
        Assert.Contains(detection.Diagnosis.Evidence, e => e.Contains($"confirmed by 1 vantage (alerts): allowed by {Setting} = 1", StringComparison.Ordinal));
        Assert.True(detection.Diagnosis.Confirmation!.Allowed);
    }

    [Fact]
    public async Task TwoAlertsFromOnePrometheus_CountAsOneVantage_AndMoveNoRegion()
    {
        var world = FraUnprobed();
        var loop = world.Loop(alerts: true);
        world.Fires(AlertRules.EndpointProbeDown, "fra", "fp-public-endpoint");
        world.Fires(AlertRules.EndpointProbeDown, "fra", "fp-balancer");

        await world.RoundsAsync(loop, 20);

        Assert.Empty(world.Handed);
        var decision = Assert.Single(loop.Decisions);
        Assert.Equal(WatchAction.NeedsOperator, decision.Action);
        Assert.Equal(["alerts"], decision.Diagnosis.Confirmation!.Vantages);
    }

    [Fact]
    public async Task RegionDown_FromTheAlertsAndAPeerAgreeing_IsConfirmedByTwoVantages_AndHandedOver()
    {
        var world = FraUnprobed();
        world.DubPeer.Connected = new() { ["fra"] = false };
        var loop = world.Loop(peers: true, alerts: true);
        world.Fires(AlertRules.EndpointProbeDown, "fra");

        await world.RoundsAsync(loop, 20);

        var detection = Assert.Single(world.Handed);
        Assert.Equal((DiagnosisCode.RegionDown, "fra"), (detection.Diagnosis.Code, detection.Diagnosis.Region));
        Assert.Equal(["alerts", "peer"], detection.Diagnosis.Confirmation!.Vantages);
        Assert.Contains(detection.Diagnosis.Evidence, e => e.Contains("confirmed by 2 vantages (alerts, peer)", StringComparison.Ordinal));
    }
}
