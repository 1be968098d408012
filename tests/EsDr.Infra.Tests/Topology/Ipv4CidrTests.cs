using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Topology;

public class Ipv4CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/16", "10.0.255.0/24", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false)]
    [InlineData("192.168.0.0/16", "10.0.0.0/8", false)]
    public void Overlaps_IsTrueOnlyForSharedAddresses(string a, string b, bool overlaps) =>
        Assert.Equal(overlaps, Ipv4Cidr.Parse(a).Overlaps(Ipv4Cidr.Parse(b)));

    [Theory]
    [InlineData("10.1.0.0/16", true)]
    [InlineData("172.20.0.0/16", true)]
    [InlineData("172.32.0.0/16", false)]
    [InlineData("100.64.0.0/16", false)]
    public void IsPrivate_MeansRfc1918(string cidr, bool isPrivate) =>
        Assert.Equal(isPrivate, Ipv4Cidr.Parse(cidr).IsPrivate);

    [Theory]
    [InlineData("10.0.0.1/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/64")]
    [InlineData("10.0.0.0")]
    public void TryParse_RejectsWhatIsNotAnIpv4Network(string text) =>
        Assert.False(Ipv4Cidr.TryParse(text, out _));

    [Fact]
    public void HostAndSubnet_CountFromTheNetworkAddress()
    {
        var cidr = Ipv4Cidr.Parse("10.20.0.0/16");

        Assert.Equal("10.20.0.11", cidr.Host(11));
        Assert.Equal("10.20.128.0/18", cidr.Subnet(18, 2).ToString());
    }
}
