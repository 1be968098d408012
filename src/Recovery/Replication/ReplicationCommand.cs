using System.CommandLine;

namespace EsDr.Recovery.Replication;

/// <summary>
/// <c>es-dr-recovery replication apply</c>: sets up cross-cluster replication from the active (leader) cluster to
/// a standby (follower) cluster, idempotently: both clusters know each other as proxy-mode remotes,
/// the follower auto-follows the index patterns and follows the leader indices that already exist.
/// The compiled program runs it from a <c>command:local:Command</c> once both clusters are up, and again
/// whenever the active region, the patterns or a generation changes. Credentials and the CA come from
/// the environment (<c>ES_LEADER_USER</c>/<c>ES_LEADER_PASSWORD</c>, <c>ES_FOLLOWER_USER</c>/<c>ES_FOLLOWER_PASSWORD</c>,
/// <c>ES_CA_PEM</c>) and never appear on the command line or in the output.
/// </summary>
internal static class ReplicationCommand
{
    private static readonly Option<string> LeaderUrl = Required("--leader-url", "HTTPS URL of the leader region's endpoint");
    private static readonly Option<string> LeaderAlias = Required("--leader-alias", "the leader's remote-cluster alias (its region name)");
    private static readonly Option<string> LeaderProxy = Required("--leader-proxy", "host:port of the leader's transport passthrough (proxy mode)");
    private static readonly Option<string> LeaderServerName = Required("--leader-server-name", "name the leader's node certificates carry (its cluster name)");
    private static readonly Option<string> FollowerUrl = Required("--follower-url", "HTTPS URL of the follower region's endpoint");
    private static readonly Option<string> FollowerAlias = Required("--follower-alias", "the follower's remote-cluster alias (its region name)");
    private static readonly Option<string> FollowerProxy = Required("--follower-proxy", "host:port of the follower's transport passthrough");
    private static readonly Option<string> FollowerServerName = Required("--follower-server-name", "name the follower's node certificates carry");
    private static readonly Option<string[]> Patterns = new("--pattern") { Description = "an index pattern to replicate (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string> License = new("--license") { Description = "licence tier the clusters run (CCR needs trial or better)", DefaultValueFactory = _ => "trial" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "print the exact requests without sending them" };
    private static readonly Option<int> ReadySeconds = new("--ready-timeout") { Description = "seconds to wait for both clusters to be at least yellow", DefaultValueFactory = _ => 900 };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var apply = new Command("apply", "Set up (or converge) cross-cluster replication from the leader to the follower.")
        {
            LeaderUrl, LeaderAlias, LeaderProxy, LeaderServerName, FollowerUrl, FollowerAlias, FollowerProxy, FollowerServerName,
            Patterns, License, DryRun, ReadySeconds,
        };
        apply.SetAction((result, cancel) => ExecuteAsync(result, Environment.GetEnvironmentVariable, stdout, stderr, cancel));
        return new Command("replication", "Cross-cluster replication between the regions' clusters.") { apply };
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    /// <summary>Values the parser accepts as strings and numbers but the command cannot use (a URL that is none, a negative wait).</summary>
    private static IEnumerable<string> UsageProblems(ParseResult result)
    {
        foreach (var option in new[] { LeaderUrl, FollowerUrl })
        {
            var text = result.GetValue(option) ?? "";
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                yield return $"{option.Name}: must be an absolute https:// URL such as https://10.0.0.5:9200, got '{text}'";
        }
        if (result.GetValue(ReadySeconds) < 0)
            yield return $"{ReadySeconds.Name}: must be 0 or more seconds, got {result.GetValue(ReadySeconds)}";
    }

    internal static async Task<int> ExecuteAsync(ParseResult result, Func<string, string?> environment, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        LicenseTier license;
        try
        {
            license = ReplicationSpec.ParseLicense(result.GetValue(License)!);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: --license: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        if (UsageProblems(result).ToList() is { Count: > 0 } usage)
        {
            foreach (var p in usage) await stderr.WriteLineAsync($"error: {p}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        var spec = new ReplicationSpec(
            ClusterDescription.Proxy(result.GetValue(LeaderAlias)!, result.GetValue(LeaderProxy)!, result.GetValue(LeaderServerName)),
            ClusterDescription.Proxy(result.GetValue(FollowerAlias)!, result.GetValue(FollowerProxy)!, result.GetValue(FollowerServerName)),
            result.GetValue(Patterns) ?? [],
            license);
        if (spec.Problems() is { Count: > 0 } problems)
        {
            foreach (var p in problems) await stderr.WriteLineAsync($"error: {p}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var ca = environment("ES_CA_PEM") is { Length: > 0 } pem ? pem : null;
        var httpsWithoutCa = ca is not null ? [] : new[] { LeaderUrl, FollowerUrl }.Where(o => new Uri(result.GetValue(o)!).Scheme == Uri.UriSchemeHttps).ToList();
        foreach (var option in httpsWithoutCa)
            await stderr.WriteLineAsync($"error: {option.Name} is https but ES_CA_PEM is not set: the stack's CA is the only certificate trusted").ConfigureAwait(false);
        if (httpsWithoutCa.Count > 0) return ExitCodes.Usage;
        // Through a balancer the node certificates name the nodes, not the balancer: the chain is verified
        // against the stack's CA (the only trust anchor) and the host name is not.
        ElasticsearchConnection Connect(Option<string> url, string prefix) => ElasticsearchConnection.Create(
            new ElasticsearchEndpoint(new Uri(result.GetValue(url)!), VerifyHostname: ca is null) { CaCertificatePem = ca },
            ElasticsearchCredentials.FromEnvironment($"{prefix}_USER", $"{prefix}_PASSWORD", environment));

        try
        {
            using var leader = Connect(LeaderUrl, "ES_LEADER");
            using var follower = Connect(FollowerUrl, "ES_FOLLOWER");
            var options = new ReplicationRunOptions(result.GetValue(DryRun), TimeSpan.FromSeconds(result.GetValue(ReadySeconds)));
            var outcome = await new ReplicationSetup(leader, follower, TimeProvider.System, stdout).RunAsync(spec, options, cancel).ConfigureAwait(false);
            // Steps still planned or blocked are listed on stdout: the set-up did not finish, as a failed recovery step.
            return outcome.Converged || options.DryRun ? ExitCodes.Ok : ExitCodes.RecoveryFailed;
        }
        catch (Exception e) when (e is ElasticsearchRequestException or ReplicationStepFailedException or TimeoutException or InvalidOperationException or FormatException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }
    }
}
