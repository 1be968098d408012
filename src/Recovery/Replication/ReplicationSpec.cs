using System.Text.RegularExpressions;

namespace EsDr.Recovery.Replication;

/// <summary>How a cluster connects to a remote cluster (<c>cluster.remote.&lt;alias&gt;.mode</c>).</summary>
public enum RemoteMode { Sniff, Proxy }

/// <summary>The licence the stack config asks for (<c>elasticsearch.license</c>). CCR needs trial or better.</summary>
public enum LicenseTier { Basic, Trial, Platinum, Enterprise }

/// <summary>
/// One cluster as the other cluster sees it: the alias it is known by (<c>cluster.remote.&lt;alias&gt;</c>)
/// and how to reach its transport port. Sniff mode lists seed nodes; proxy mode names one address
/// (a balancer passing 9300 through), optionally with the TLS server name to send.
/// </summary>
public sealed record ClusterDescription(
    string Alias,
    RemoteMode Mode,
    IReadOnlyList<string> Seeds,
    string? ProxyAddress = null,
    string? ServerName = null)
{
    public static ClusterDescription Sniff(string alias, params string[] seeds) => new(alias, RemoteMode.Sniff, seeds);

    public static ClusterDescription Proxy(string alias, string proxyAddress, string? serverName = null) =>
        new(alias, RemoteMode.Proxy, [], proxyAddress, serverName);

    internal IEnumerable<string> Problems(string role)
    {
        if (!ReplicationSpec.NamePattern().IsMatch(Alias))
            yield return $"{role}.alias: must match [a-z0-9][a-z0-9_-]*, got '{Alias}'";
        switch (Mode)
        {
            case RemoteMode.Sniff:
                if (Seeds.Count == 0) yield return $"{role}.seeds: sniff mode needs at least one seed (host:port)";
                foreach (var seed in Seeds.Where(s => !IsHostPort(s)))
                    yield return $"{role}.seeds: '{seed}' is not host:port";
                if (ProxyAddress is not null || ServerName is not null)
                    yield return $"{role}: proxy_address and server_name belong to proxy mode, not sniff";
                break;
            case RemoteMode.Proxy:
                if (ProxyAddress is null || !IsHostPort(ProxyAddress))
                    yield return $"{role}.proxyAddress: proxy mode needs host:port, got '{ProxyAddress}'";
                if (Seeds.Count > 0) yield return $"{role}: seeds belong to sniff mode, not proxy";
                break;
        }
    }

    private static bool IsHostPort(string s)
    {
        var colon = s.LastIndexOf(':');
        return colon > 0 && !s.Any(char.IsWhiteSpace) && !s.Contains(',', StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and < 65536;
    }
}

/// <summary>
/// What replication should look like: the follower (standby) follows the leader (active) for every
/// index matching <see cref="IndexPatterns"/>, keeping the leader's index names.
/// </summary>
public sealed partial record ReplicationSpec(
    ClusterDescription Leader,
    ClusterDescription Follower,
    IReadOnlyList<string> IndexPatterns,
    LicenseTier License = LicenseTier.Trial)
{
    /// <summary>
    /// Auto-follow patterns whose name starts with this belong to es-dr: only those are ever updated or
    /// deleted. Patterns a user created under other names are reported, never touched.
    /// </summary>
    public const string ManagedPatternPrefix = "es-dr-";

    /// <summary>The follower's auto-follow pattern for this leader, e.g. <c>es-dr-fra</c>.</summary>
    public string AutoFollowName => ManagedPatternPrefix + Leader.Alias;

    /// <summary>The same replication in the other direction, for when the active region changes.</summary>
    public ReplicationSpec Reversed() => this with { Leader = Follower, Follower = Leader };

    /// <summary>Every problem with the spec, each naming its field; empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        problems.AddRange(Leader.Problems("leader"));
        problems.AddRange(Follower.Problems("follower"));
        if (Leader.Alias == Follower.Alias)
            problems.Add($"follower.alias: must differ from the leader's alias '{Leader.Alias}'");
        if (IndexPatterns.Count == 0)
            problems.Add("indexPatterns: name at least one index pattern to replicate");
        foreach (var p in IndexPatterns.Where(p => !IsIndexPattern(p)))
            problems.Add($"indexPatterns: '{p}' is not a simple index pattern (lower case, '*' wildcards, no leading '-', '_' or '.', no commas or spaces)");
        foreach (var dup in IndexPatterns.GroupBy(p => p, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"indexPatterns: '{dup.Key}' is listed twice");
        return problems;
    }

    /// <summary>Whether a config value is an index pattern this set-up accepts.</summary>
    public static bool IsIndexPattern(string pattern) => Infra.Config.IndexPattern.IsValid(pattern);

    /// <summary>Parses the stack config's <c>elasticsearch.license</c> value.</summary>
    public static LicenseTier ParseLicense(string value) => value switch
    {
        "basic" => LicenseTier.Basic,
        "trial" => LicenseTier.Trial,
        "platinum" => LicenseTier.Platinum,
        "enterprise" => LicenseTier.Enterprise,
        _ => throw new ArgumentException($"licence must be basic, trial, platinum or enterprise, got '{value}'", nameof(value)),
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    internal static partial Regex NamePattern();
}
