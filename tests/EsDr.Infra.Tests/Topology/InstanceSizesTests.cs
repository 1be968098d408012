using EsDr.Infra.Config;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Topology;

public class InstanceSizesTests
{
    [Theory]
    [InlineData(Cloud.Linode, "g6-standard-4", 8)]
    [InlineData(Cloud.Linode, "g6-dedicated-8", 16)]
    [InlineData(Cloud.DigitalOcean, "s-4vcpu-8gb", 8)]
    [InlineData(Cloud.DigitalOcean, "m-2vcpu-16gb", 16)]
    [InlineData(Cloud.Aws, "r6i.large", 16)]
    [InlineData(Cloud.Aws, "m6i.2xlarge", 32)]
    [InlineData(Cloud.Aws, "c7g.xlarge", 8)]
    [InlineData(Cloud.Aws, "t3.large", 8)]
    [InlineData(Cloud.Ovh, "b3-16", 16)]
    [InlineData(Cloud.Ovh, "r3-64", 64)]
    public void MemoryGb_KnownSize_IsItsMemory(Cloud cloud, string size, int gb) =>
        Assert.Equal(gb, InstanceSizes.MemoryGb(cloud, size));

    [Theory]
    [InlineData(Cloud.Linode, "g9-unknown")]
    [InlineData(Cloud.Aws, "x2iedn.metal")]
    [InlineData(Cloud.DigitalOcean, "custom")]
    public void MemoryGb_UnknownSize_IsNull(Cloud cloud, string size) =>
        Assert.Null(InstanceSizes.MemoryGb(cloud, size));
}
