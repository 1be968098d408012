namespace EsDr.Infra.Renderers;

/// <summary>
/// /etc/nftables.conf for a host that has no cloud firewall in front of it (OVH): the HAProxy VM admits SSH
/// only from the listed sources, everything else being left to HAProxy's own source filters; an application
/// server also admits its application port only from the HAProxy VM.
/// </summary>
public static class NftablesRules
{
    public const string ConfigFile = "/etc/nftables.conf";

    public static string SshOnlyFrom(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return PortsOnlyFrom([(22, sources)]);
    }

    /// <summary>
    /// Each listed port only from its sources (none: from nobody); other ports are left to the services. For a
    /// host with no cloud firewall whose services do not filter themselves (an OVH application server).
    /// </summary>
    public static string PortsOnlyFrom(IReadOnlyList<(int Port, IReadOnlyList<string> Sources)> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var lines = new System.Text.StringBuilder();
        foreach (var (port, sources) in rules)
        {
            var p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (sources.Count > 0) lines.Append($"        tcp dport {p} ip saddr {{ {string.Join(", ", sources)} }} accept\n");
            lines.Append($"        tcp dport {p} drop\n");
        }
        // Our own table only: flushing the whole ruleset would also drop rules the image or an
        // operator added.
        return "#!/usr/sbin/nft -f\n" +
               "table inet es_dr\n" +
               "delete table inet es_dr\n" +
               "table inet es_dr {\n" +
               "    chain input {\n" +
               "        type filter hook input priority 0; policy accept;\n" +
               lines +
               "    }\n" +
               "}\n";
    }
}
