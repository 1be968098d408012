using EsDr.Recovery.Tests.Support;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

public sealed class PrometheusTextTests
{
    private static readonly MetricFamily Lag = new("esdr_ccr_follower_lag_operations", "Operations behind.\nSecond line with a \\ backslash.", "gauge",
    [
        new([new("region", "dub"), new("cluster", "acme-dub"), new("follower_index", "orders-1")], 3),
        new([new("region", "dub"), new("cluster", "a \"quoted\" \\ name\nnext"), new("follower_index", "products-1")], 0),
    ]);

    [Fact]
    public void Render_WritesHelpAndTypeOnce_ThenEachSample_EscapingLabelValuesAndHelp()
    {
        var text = PrometheusText.Render([Lag, new("esdr_watch_rounds_total", "Rounds.", "counter", [new([], 12)])]);

        Assert.Equal(
            "# HELP esdr_ccr_follower_lag_operations Operations behind.\\nSecond line with a \\\\ backslash.\n" +
            "# TYPE esdr_ccr_follower_lag_operations gauge\n" +
            "esdr_ccr_follower_lag_operations{region=\"dub\",cluster=\"acme-dub\",follower_index=\"orders-1\"} 3\n" +
            "esdr_ccr_follower_lag_operations{region=\"dub\",cluster=\"a \\\"quoted\\\" \\\\ name\\nnext\",follower_index=\"products-1\"} 0\n" +
            "# HELP esdr_watch_rounds_total Rounds.\n" +
            "# TYPE esdr_watch_rounds_total counter\n" +
            "esdr_watch_rounds_total 12\n",
            text);
    }

    [Fact]
    public void Render_NonFiniteAndFractionalValues_UseTheFormatsSpelling() =>
        Assert.Equal("# HELP g G.\n# TYPE g gauge\ng NaN\ng +Inf\ng 0.25\n",
            PrometheusText.Render([new("g", "G.", "gauge", [new([], double.NaN), new([], double.PositiveInfinity), new([], 0.25)])]));

    [Fact]
    public async Task Render_OfHostileLabelValues_PassesPromtoolCheckMetrics()
    {
        var (exit, output) = await Promtool.CheckMetricsAsync(PrometheusText.Render([Lag]));

        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task Promtool_RejectsAnUnescapedQuote_SoTheCheckAboveCanFail()
    {
        var broken = "# HELP m M.\n# TYPE m gauge\nm{cluster=\"a \"b\"} 1\n";

        var (exit, _) = await Promtool.CheckMetricsAsync(broken);

        Assert.NotEqual(0, exit);
    }
}
