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

    [Theory]
    [InlineData("010.0.0.0/8", "'010' is not a number from 0 to 255 written without leading zeros")] // .NET reads it as 8.0.0.0
    [InlineData("10.0.0.0/08", "'08' is not a prefix length from 0 to 32 written as a plain number")]
    [InlineData("0.0.0.0/+0", "'+0' is not a prefix length from 0 to 32 written as a plain number")]
    [InlineData("0.0.0.0/ 0", "' 0' is not a prefix length from 0 to 32 written as a plain number")]
    [InlineData("10.0.0.0/-8", "'-8' is not a prefix length from 0 to 32 written as a plain number")]
    [InlineData("256.0.0.0/8", "'256' is not a number from 0 to 255 written without leading zeros")]
    [InlineData("10.1/16", "the address must be four numbers separated by dots")]
    [InlineData("0x0a.0.0.0/8", "'0x0a' is not a number from 0 to 255 written without leading zeros")]
    [InlineData("10.0.0.0/8/8", "not a network address and prefix length (a.b.c.d/n)")]
    [InlineData("10.0.0.5/24", "host bits are set; the network is 10.0.0.0/24")]
    [InlineData("::/0", "an IPv6 network; only IPv4 networks are supported")]
    public void Problem_NonCanonicalSpelling_SaysWhy(string text, string problem)
    {
        Assert.Equal(problem, Ipv4Cidr.Problem(text));
        Assert.False(Ipv4Cidr.TryParse(text, out _));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.0.0.0/8")]
    [InlineData("198.51.100.7/32")]
    [InlineData("255.255.255.255/32")]
    public void Parse_CanonicalSpelling_WritesItBackUnchanged(string text) =>
        Assert.Equal(text, Ipv4Cidr.Parse(text).ToString());

    [Fact]
    public void HostAndSubnet_CountFromTheNetworkAddress()
    {
        var cidr = Ipv4Cidr.Parse("10.20.0.0/16");

        Assert.Equal("10.20.0.11", cidr.Host(11));
        Assert.Equal("10.20.128.0/18", cidr.Subnet(18, 2).ToString());
    }
}
