using EsDr.Infra.Renderers.Monitoring;
using static EsDr.Infra.Tests.Renderers.Monitoring.MonitoringSamples;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

public class AlertmanagerConfigTests
{
    [Fact]
    public async Task Render_PassesAmtoolCheckConfig()
    {
        using var dir = new TempDir();
        var token = dir.Write("recovery.token", BearerToken);
        var config = dir.Write("alertmanager.yml", AlertmanagerConfig.Render(Alertmanager() with { CredentialsFile = token }));

        var (exitCode, output) = await RealTool.RunAsync("amtool", "check-config", config);

        Assert.True(exitCode == 0, output);
        Assert.Contains("1 inhibit rules", output, StringComparison.Ordinal);
        Assert.Contains("1 receivers", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Webhook_AuthenticatesWithTheTokenFileNeverTheToken()
    {
        var config = AlertmanagerConfig.Render(Alertmanager());

        Assert.DoesNotContain(BearerToken, config, StringComparison.Ordinal);
        Assert.Contains(
            """
                    http_config:
                      authorization:
                        type: "Bearer"
                        credentials_file: "/etc/prometheus/alertmanager/recovery.token"
            """,
            config,
            StringComparison.Ordinal);
        Assert.DoesNotContain("\n            credentials:", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RoutesEverythingToTheRecoveryWebhookIncludingResolutions()
    {
        var config = AlertmanagerConfig.Render(Alertmanager());

        Assert.StartsWith(
            """
            route:
              receiver: "esdr-recovery"
              group_by:
                - "alertname"
                - "region"
                - "cluster"
                - "job"
                - "instance"
              group_wait: "10s"
              group_interval: "1m"
              repeat_interval: "30m"
            receivers:
              - name: "esdr-recovery"
                webhook_configs:
                  - url: "https://recovery.internal.example.com:9095/alerts"
                    send_resolved: true
                    max_alerts: 1000
            """,
            config,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Render_RedInhibitsYellowForTheSameCluster() =>
        Assert.EndsWith(
            """
            inhibit_rules:
              - source_matchers:
                  - "alertname=\"ElasticsearchClusterRed\""
                target_matchers:
                  - "alertname=\"ElasticsearchClusterYellowTooLong\""
                equal:
                  - "region"
                  - "cluster"

            """,
            AlertmanagerConfig.Render(Alertmanager()),
            StringComparison.Ordinal);

    [Fact]
    public void Render_PulumiReferenceInTheWebhookUrl_IsTheOnlyInterpolation()
    {
        var config = AlertmanagerConfig.Render(Alertmanager() with { WebhookUrl = "http://${recovery.privateIp}:9095/alerts" });

        Assert.Contains("url: \"http://${recovery.privateIp}:9095/alerts\"", config, StringComparison.Ordinal);
        Assert.Single(config.Split("${")[1..]);
    }
}
