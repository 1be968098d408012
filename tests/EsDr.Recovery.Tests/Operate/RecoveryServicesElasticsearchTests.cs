using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>How the composition root connects to each region's Elasticsearch.</summary>
public sealed class RecoveryServicesElasticsearchTests
{
    private static Deployment Prod(string? caPem)
    {
        var file = StackFile.Load(Path.Combine(OperatorTestbed.FindRoot(), "Pulumi.prod.yaml"), "es-dr");
        var config = StackConfigParser.Parse("es-dr", "prod", file.Config);
        var (view, types) = StackView.Offline(config);
        var regions = view.Regions.Select(r => new RegionAddress(r.Name, new Uri($"https://{r.Name}.example:9200"), null,
            r.Nodes.Select(n => n.Name).ToList())).ToList();
        return new Deployment(config, view, types, regions, caPem, StackCredentials.Empty);
    }

    [Fact]
    public void HttpsClusters_WithoutTheStackCa_AreRefusedInOneLine_NeverTrustedThroughTheSystemStore()
    {
        var e = Assert.Throws<DeploymentUnavailableException>(() =>
            RecoveryServices.Create(Prod(caPem: null), new ServiceOptions(), new NoPulumi(), TimeProvider.System));

        Assert.Contains("caCertificate output is missing", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>Building the services asks pulumi nothing.</summary>
    private sealed class NoPulumi : IPulumiCli
    {
        public Task<PulumiResult> RunAsync(PulumiCommand command, CancellationToken cancellationToken) => throw new InvalidOperationException("pulumi was asked");
        public Task<string> VersionAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("pulumi was asked");
    }
}
