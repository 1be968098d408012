using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Topology;

public class PublicAddressSpaceTests
{
    private const long WholeInternet = 3_702_258_688; // 2^32 less IANA's not globally reachable ranges

    private static long Covered(params string[] cidrs) => PublicAddressSpace.Covered(cidrs.Select(Ipv4Cidr.Parse));

    [Fact]
    public void TheWholeInternet_IsEveryAddressLessTheNonPublicRanges() =>
        Assert.Equal(WholeInternet, PublicAddressSpace.All);

    [Fact]
    public void TwoHalves_CoverTheWholeInternet_LikeSlashZero() =>
        Assert.Equal(Covered("0.0.0.0/0"), Covered("0.0.0.0/1", "128.0.0.0/1"));

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("172.16.0.0/12")]
    [InlineData("192.168.0.0/16")]
    [InlineData("100.64.0.0/10")]
    [InlineData("224.0.0.0/3")]
    public void NonPublicSpace_CountsForNothing(string cidr) => Assert.Equal(0, Covered(cidr));

    [Fact]
    public void OverlappingSources_AreCountedOnce() =>
        Assert.Equal(1L << 24, Covered("17.0.0.0/8", "17.1.0.0/16", "17.0.0.0/9"));

    [Fact]
    public void ASourceStraddlingPrivateSpace_CountsOnlyItsPublicPart() =>
        Assert.Equal((1L << 24) * 7, Covered("8.0.0.0/5")); // 8–15/8 less 10/8

    [Fact]
    public void TheLimit_IsOneSlashEight() => Assert.Equal(PublicAddressSpace.ProtectedPortLimit, Covered("17.0.0.0/8"));
}
