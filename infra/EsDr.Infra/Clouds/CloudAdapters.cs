using EsDr.Infra.Clouds.Aws;
using EsDr.Infra.Clouds.DigitalOcean;
using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Compilation;

namespace EsDr.Infra.Clouds;

/// <summary>One adapter per cloud; the compiler picks the one matching each region.</summary>
public static class CloudAdapters
{
    public static readonly IReadOnlyList<ICloudAdapter> All =
        [new LinodeAdapter(), new DigitalOceanAdapter(), new AwsAdapter(), new OvhAdapter()];
}
