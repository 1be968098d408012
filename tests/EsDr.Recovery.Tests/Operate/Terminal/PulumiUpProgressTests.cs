using EsDr.Recovery.Operate.Terminal;

namespace EsDr.Recovery.Tests.Operate.Terminal;

/// <summary>Reading a running <c>pulumi up --non-interactive</c>'s lines into counts and a latest line.</summary>
public sealed class PulumiUpProgressTests
{
    [Fact]
    public void Add_ResourceEvents_CountsEachResourceByItsLatestEvent()
    {
        var progress = new PulumiUpProgress();

        foreach (var line in new[]
        {
            "Updating (prod):",
            " +  pulumi:pulumi:Stack es-dr-prod creating (0s)",
            " +  linode:index/instance:Instance prod-dub-es-1 creating (0s)",
            " +  linode:index/instance:Instance prod-dub-es-1 created (41s)",
            " ~  linode:index/firewall:Firewall prod-fra-fw updating (0s) [diff: ~inbounds]",
            " ~  linode:index/firewall:Firewall prod-fra-fw updated (2s) [diff: ~inbounds]",
            " +  linode:index/instance:Instance prod-dub-es-2 creating failed (3s) error: 400 quota",
            "",
        })
            progress.Add(line);

        Assert.Equal(2, progress.Done);
        Assert.Equal(1, progress.Running);
        Assert.Equal(1, progress.Failed);
        Assert.Equal("+  linode:index/instance:Instance prod-dub-es-2 creating failed (3s) error: 400 quota", progress.Latest);
    }

    [Fact]
    public void Add_SummaryLines_OnlyBecomeTheLatestLine()
    {
        var progress = new PulumiUpProgress();

        progress.Add("Resources:");
        progress.Add("    ~ 4 updated");
        progress.Add("Duration: 12s");

        Assert.Equal((0, 0, 0), (progress.Done, progress.Running, progress.Failed));
        Assert.Equal("pulumi: 0 done, 0 in progress · Duration: 12s", progress.Summary());
    }

    [Fact]
    public void Summary_BeforeAnyOutput_IsNull() => Assert.Null(new PulumiUpProgress().Summary());
}
