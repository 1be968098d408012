namespace EsDr.Infra.Renderers;

/// <summary>
/// /etc/nftables.conf for a host that has no cloud firewall in front of it (OVH): the HAProxy VM admits SSH
/// only from the listed sources, everything else being left to HAProxy's own source filters; an application
/// server drops everything inbound but its listed ports from their sources.
/// </summary>
public static class NftablesRules
{
    public const string ConfigFile = "/etc/nftables.conf";

    public static string SshOnlyFrom(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var allow = sources.Count == 0 ? "" : $"        tcp dport 22 ip saddr {{ {string.Join(", ", sources)} }} accept\n";
        return Table("accept", allow + "        tcp dport 22 drop\n");
    }

    /// <summary>
    /// Inbound dropped except replies, loopback, ICMP (path MTU, ping), DHCP replies, and each listed TCP port from its
    /// sources: for a host with no cloud firewall whose services do not filter themselves (an OVH application server).
    /// </summary>
    public static string OnlyFrom(IReadOnlyList<(int Port, IReadOnlyList<string> Sources)> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var lines = new System.Text.StringBuilder(
            "        ct state established,related accept\n" +
            "        iif lo accept\n" +
            "        meta l4proto { icmp, ipv6-icmp } accept\n" +
            "        udp dport 68 accept\n");
        foreach (var (port, sources) in rules.Where(r => r.Sources.Count > 0))
            lines.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"        tcp dport {port} ip saddr {{ {string.Join(", ", sources)} }} accept\n");
        return Table("drop", lines.ToString());
    }

    // Our own table only: flushing the whole ruleset would also drop rules the image or an operator added.
    private static string Table(string policy, string rules) =>
        "#!/usr/sbin/nft -f\n" +
        "table inet es_dr\n" +
        "delete table inet es_dr\n" +
        "table inet es_dr {\n" +
        "    chain input {\n" +
        $"        type filter hook input priority 0; policy {policy};\n" +
        rules +
        "    }\n" +
        "}\n";
}
