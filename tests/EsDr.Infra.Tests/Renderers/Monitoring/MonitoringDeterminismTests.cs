using EsDr.Infra.Renderers.Monitoring;
using static EsDr.Infra.Tests.Renderers.Monitoring.MonitoringSamples;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

public class MonitoringDeterminismTests
{
    // Each renderer gets two separately built, equal inputs: output may depend on values only.
    private static readonly Dictionary<string, Func<string>> Renderers = new()
    {
        ["prometheus.yml"] = () => PrometheusConfig.Render(Prometheus("/etc/prometheus/esdr.rules.yml")),
        ["alert rules"] = Rules,
        ["alertmanager.yml"] = () => AlertmanagerConfig.Render(Alertmanager()),
    };

    public static TheoryData<string> RendererNames => new(Renderers.Keys);

    [Theory]
    [MemberData(nameof(RendererNames))]
    public void EveryRenderer_SameInput_RendersIdenticalText(string renderer) =>
        Assert.Equal(Renderers[renderer](), Renderers[renderer]());

    [Fact]
    public void AlertRules_ClusterOrder_DoesNotChangeTheRules() =>
        Assert.Equal(Rules(), AlertRules.Render([.. Clusters().Reverse()], Thresholds()));
}

public class PromDurationTests
{
    [Theory]
    [InlineData(15, "15s")]
    [InlineData(60, "1m")]
    [InlineData(90, "90s")]
    [InlineData(1800, "30m")]
    [InlineData(7200, "2h")]
    [InlineData(5400, "90m")]
    public void Format_UsesTheLargestExactUnit(int seconds, string expected) =>
        Assert.Equal(expected, PromDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(1500)]
    public void Format_ZeroNegativeOrFractional_Throws(int milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PromDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
