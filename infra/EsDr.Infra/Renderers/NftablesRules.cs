namespace EsDr.Infra.Renderers;

/// <summary>
/// /etc/nftables.conf for a host that has no cloud firewall in front of it (the HAProxy VM on OVH):
/// SSH only from the listed sources. Everything else is left to the services themselves (HAProxy
/// filters its own frontends' sources).
/// </summary>
public static class NftablesRules
{
    public const string ConfigFile = "/etc/nftables.conf";

    public static string SshOnlyFrom(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var allow = sources.Count == 0 ? "" : $"        tcp dport 22 ip saddr {{ {string.Join(", ", sources)} }} accept\n";
        // Our own table only: flushing the whole ruleset would also drop rules the image or an
        // operator added.
        return "#!/usr/sbin/nft -f\n" +
               "table inet es_dr\n" +
               "delete table inet es_dr\n" +
               "table inet es_dr {\n" +
               "    chain input {\n" +
               "        type filter hook input priority 0; policy accept;\n" +
               allow +
               "        tcp dport 22 drop\n" +
               "    }\n" +
               "}\n";
    }
}
