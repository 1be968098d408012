namespace EsDr.Infra.Topology;

/// <summary>
/// How much of the internet a set of IPv4 sources covers: the addresses of their union that an internet host can send
/// from. Exposure is measured this way, by coverage, never by spelling: <c>[0.0.0.0/1, 128.0.0.0/1]</c> is the whole
/// internet as surely as <c>0.0.0.0/0</c>.
/// </summary>
public static class PublicAddressSpace
{
    /// <summary>
    /// The most public address space the sources of one data port (9200, 9300, 3306) or of SSH may cover: one /8,
    /// 16 777 216 addresses, the largest block a single organisation holds (a legacy class A). Any real client,
    /// operator or deployer network fits; every way of writing "the internet" (about 3.7 billion public addresses)
    /// is over it by more than 200 times.
    /// </summary>
    public const long ProtectedPortLimit = 1L << 24;

    /// <summary>
    /// IANA's special-purpose ranges that are not globally reachable (RFC 6890 and its registry): private networks,
    /// shared (CGNAT), loopback, link-local, documentation, benchmarking, multicast and reserved. No packet from the
    /// internet carries a source address in them, so admitting them opens nothing to it.
    /// </summary>
    public static readonly IReadOnlyList<Ipv4Cidr> NotPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        }.Select(Ipv4Cidr.Parse),
    ];

    /// <summary>Every public address: what <c>0.0.0.0/0</c> covers.</summary>
    public static readonly long All = Covered([Ipv4Cidr.Parse("0.0.0.0/0")]);

    /// <summary>The number of public addresses in the union of <paramref name="sources"/> (overlaps counted once).</summary>
    public static long Covered(IEnumerable<Ipv4Cidr> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var hidden = Merge(NotPublic.Select(Interval));
        return Merge(sources.Select(Interval)).Sum(u => Length(u) - hidden.Sum(n => Length(Intersect(u, n))));
    }

    /// <summary>"33,554,432 public addresses", "… (the whole internet)".</summary>
    public static string Describe(long addresses)
    {
        var text = $"{addresses.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} public address{(addresses == 1 ? "" : "es")}";
        return addresses == All ? $"{text} (the whole internet)" : text;
    }

    private static (long From, long To) Interval(Ipv4Cidr c) => (c.Network, (long)c.Network + c.AddressCount - 1);

    private static long Length((long From, long To) i) => i.To < i.From ? 0 : i.To - i.From + 1;

    private static (long From, long To) Intersect((long From, long To) a, (long From, long To) b) =>
        (Math.Max(a.From, b.From), Math.Min(a.To, b.To));

    private static List<(long From, long To)> Merge(IEnumerable<(long From, long To)> intervals)
    {
        var merged = new List<(long From, long To)>();
        foreach (var i in intervals.OrderBy(i => i.From))
        {
            if (merged.Count > 0 && i.From <= merged[^1].To + 1)
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, i.To));
            else
                merged.Add(i);
        }
        return merged;
    }
}
