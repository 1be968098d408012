using System.Globalization;
using System.Text.RegularExpressions;
using EsDr.Infra.Config;

namespace EsDr.Infra.Topology;

/// <summary>
/// Memory of the instance sizes people use for Elasticsearch, so the JVM heap can be sized from the size
/// alone. Unknown sizes return null and config must give <c>memoryGb</c>.
/// </summary>
public static partial class InstanceSizes
{
    private static readonly Dictionary<string, int> Linode = new(StringComparer.Ordinal)
    {
        ["g6-nanode-1"] = 1, ["g6-standard-1"] = 2, ["g6-standard-2"] = 4, ["g6-standard-4"] = 8,
        ["g6-standard-6"] = 16, ["g6-standard-8"] = 32, ["g6-standard-16"] = 64, ["g6-standard-20"] = 96,
        ["g6-standard-24"] = 128, ["g6-standard-32"] = 192, ["g6-dedicated-2"] = 4, ["g6-dedicated-4"] = 8,
        ["g6-dedicated-8"] = 16, ["g6-dedicated-16"] = 32, ["g6-dedicated-32"] = 64, ["g6-dedicated-48"] = 96,
        ["g6-dedicated-50"] = 128, ["g6-dedicated-56"] = 256, ["g6-dedicated-64"] = 512,
        ["g7-highmem-1"] = 24, ["g7-highmem-2"] = 48, ["g7-highmem-4"] = 96, ["g7-highmem-8"] = 192, ["g7-highmem-16"] = 300,
    };

    /// <summary>GB of memory per vCPU for AWS families (m = general, r = memory, c = compute, i = storage).</summary>
    private static readonly Dictionary<char, int> AwsMemoryPerVcpu = new() { ['m'] = 4, ['r'] = 8, ['c'] = 2, ['i'] = 8, ['t'] = 4 };

    public static int? MemoryGb(Cloud cloud, string size) => cloud switch
    {
        Cloud.Linode => Linode.TryGetValue(size, out var gb) ? gb : null,
        Cloud.DigitalOcean => NumberGroup(DigitalOceanSlug().Match(size)),   // s-2vcpu-4gb, m-4vcpu-32gb
        Cloud.Ovh => NumberGroup(OvhFlavor().Match(size)),                   // b3-8, r3-64, c3-16
        Cloud.Aws => Aws(size),
        _ => null,
    };

    private static int? Aws(string size)
    {
        var m = AwsType().Match(size);
        if (!m.Success || !AwsMemoryPerVcpu.TryGetValue(m.Groups["family"].Value[0], out var perVcpu)) return null;
        var vcpus = m.Groups["size"].Value switch
        {
            "medium" => 1, "large" => 2, "xlarge" => 4,
            var s when s.EndsWith("xlarge", StringComparison.Ordinal) && int.TryParse(s[..^6], NumberStyles.None, CultureInfo.InvariantCulture, out var n) => 4 * n,
            _ => 0,
        };
        // Burstable t-types have 2 vCPUs from medium to 2xlarge; medium is 4 GB and each step doubles.
        if (m.Groups["family"].Value[0] == 't')
            return m.Groups["size"].Value switch { "medium" => 4, "large" => 8, "xlarge" => 16, "2xlarge" => 32, _ => null };
        return vcpus == 0 ? null : vcpus * perVcpu;
    }

    private static int? NumberGroup(Match m) =>
        m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"-(\d+)gb(-|$)")]
    private static partial Regex DigitalOceanSlug();

    [GeneratedRegex(@"^[a-z]\d-(\d+)(-flex)?$")]
    private static partial Regex OvhFlavor();

    [GeneratedRegex(@"^(?<family>[mrcit]\d+[a-z]*)\.(?<size>medium|large|\d*xlarge)$")]
    private static partial Regex AwsType();
}
