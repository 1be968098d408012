using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

public class ReplicationPlannerTests
{
    // fra leads (sniff, three seeds); ams follows and is reached through a proxy with a TLS server name.
    internal static readonly ClusterDescription Fra = ClusterDescription.Sniff("fra", "10.1.0.11:9300", "10.1.0.12:9300", "10.1.0.13:9300");
    internal static readonly ClusterDescription Ams = ClusterDescription.Proxy("ams", "ams-es.example.net:9300", "ams-es.example.net");
    internal static readonly ReplicationSpec Spec = new(Fra, Ams, ["logs-*", "orders"]);

    internal const string FollowerKnowsFra =
        """follower PUT /_cluster/settings {"persistent":{"cluster.remote.fra.mode":"sniff","cluster.remote.fra.seeds":["10.1.0.11:9300","10.1.0.12:9300","10.1.0.13:9300"]}}""";
    internal const string LeaderKnowsAms =
        """leader PUT /_cluster/settings {"persistent":{"cluster.remote.ams.mode":"proxy","cluster.remote.ams.proxy_address":"ams-es.example.net:9300","cluster.remote.ams.server_name":"ams-es.example.net"}}""";
    internal const string AutoFollowFra =
        """follower PUT /_ccr/auto_follow/es-dr-fra {"follow_index_pattern":"{{leader_index}}","leader_index_patterns":["logs-*","orders"],"remote_cluster":"fra"}""";

    internal static string Follow(string index, string remote = "fra") =>
        $$"""follower PUT /{{index}}/_ccr/follow?wait_for_active_shards=1 {"leader_index":"{{index}}","remote_cluster":"{{remote}}"}""";

    internal static string Show(ReplicationStep s) =>
        $"{(s.Target == ClusterRole.Leader ? "leader" : "follower")} {s.Method} {s.Path}" + (s.Body is null ? "" : " " + s.Body);

    private static ObservedCluster LeaderWith(params string[] indices) =>
        ObservedCluster.Fresh() with
        {
            Remotes = [new ObservedRemote("ams", RemoteMode.Proxy, [], "ams-es.example.net:9300", "ams-es.example.net", true)],
            Indices = indices.Select(i => new ObservedIndex(i, true)).ToList(),
        };

    private static readonly ObservedRemote FraRemote =
        new("fra", RemoteMode.Sniff, ["10.1.0.13:9300", "10.1.0.11:9300", "10.1.0.12:9300"], null, null, true);

    private static readonly ObservedAutoFollowPattern FraPattern =
        new("es-dr-fra", "fra", ["orders", "logs-*"], [], "{{leader_index}}", true);

    private static ObservedCluster FollowerFollowing(params string[] indices) =>
        ObservedCluster.Fresh() with
        {
            Remotes = [FraRemote],
            AutoFollowPatterns = [FraPattern],
            Followers = indices.Select(i => new ObservedFollower(i, "fra", i, true)).ToList(),
            Indices = indices.Select(i => new ObservedIndex(i, true)).ToList(),
        };

    private static readonly ObservedCluster Leader = LeaderWith("logs-1", "logs-2", "orders", "other", "orders-archive");

    /// <summary>Case name → (leader state, follower state, the exact steps expected, in order).</summary>
    private static readonly Dictionary<string, (ReplicationSpec Spec, ObservedCluster Leader, ObservedCluster Follower, string[] Steps)> Table = new()
    {
        ["fresh follower: remotes both ways, auto-follow, then every existing matching index"] =
            (Spec, LeaderWith("logs-1", "logs-2", "orders", "other", "orders-archive") with { Remotes = [] }, ObservedCluster.Fresh(),
                [FollowerKnowsFra, LeaderKnowsAms, AutoFollowFra, Follow("logs-1"), Follow("logs-2"), Follow("orders")]),
        ["converged: nothing"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders"), []),
        ["one index already followed: only the others"] =
            (Spec, Leader, FollowerFollowing("logs-2"), [Follow("logs-1"), Follow("orders")]),
        ["seeds differ: one settings step"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders") with { Remotes = [FraRemote with { Seeds = ["10.1.0.11:9300", "10.1.0.99:9300"] }] },
                [FollowerKnowsFra]),
        ["remote was proxy, now sniff: the proxy settings are reset in the same request"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders") with { Remotes = [new ObservedRemote("fra", RemoteMode.Proxy, [], "old:9300", "old", false)] },
                ["""follower PUT /_cluster/settings {"persistent":{"cluster.remote.fra.mode":"sniff","cluster.remote.fra.seeds":["10.1.0.11:9300","10.1.0.12:9300","10.1.0.13:9300"],"cluster.remote.fra.proxy_address":null,"cluster.remote.fra.server_name":null}}"""]),
        ["leader's remote was sniff, now proxy: the seeds are reset in the same request"] =
            (Spec, Leader with { Remotes = [new ObservedRemote("ams", RemoteMode.Sniff, ["10.2.0.11:9300"], null, null, true)] }, FollowerFollowing("logs-1", "logs-2", "orders"),
                ["""leader PUT /_cluster/settings {"persistent":{"cluster.remote.ams.mode":"proxy","cluster.remote.ams.proxy_address":"ams-es.example.net:9300","cluster.remote.ams.server_name":"ams-es.example.net","cluster.remote.ams.seeds":null}}"""]),
        ["auto-follow pattern with other patterns: replaced"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders") with { AutoFollowPatterns = [FraPattern with { LeaderIndexPatterns = ["logs-*"] }] },
                [AutoFollowFra]),
        ["auto-follow pattern renaming followers: replaced so followers keep the leader's names"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders") with { AutoFollowPatterns = [FraPattern with { FollowIndexPattern = "{{leader_index}}-copy" }] },
                [AutoFollowFra]),
        ["auto-follow pattern with exclusions: replaced"] =
            (Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders") with { AutoFollowPatterns = [FraPattern with { LeaderIndexExclusionPatterns = ["logs-1"] }] },
                [AutoFollowFra]),
        ["paused auto-follow pattern and paused follower: resumed"] =
            (Spec, Leader, FollowerFollowing("logs-1", "orders") with
                {
                    AutoFollowPatterns = [FraPattern with { Active = false }],
                    Followers = [new("logs-1", "fra", "logs-1", true), new("logs-2", "fra", "logs-2", false), new("orders", "fra", "orders", true)],
                    Indices = [new("logs-1", true), new("logs-2", true), new("orders", true)],
                },
                ["follower POST /_ccr/auto_follow/es-dr-fra/resume", "follower POST /logs-2/_ccr/resume_follow {}"]),
        ["leader on basic, config asks for a trial: trials first, then the rest"] =
            (Spec, Leader with { License = new("basic", "active") }, FollowerFollowing("logs-1", "logs-2", "orders"),
                ["leader POST /_license/start_trial?acknowledge=true"]),
        ["swapped direction after a failover to ams: fra (rebuilt, empty) follows ams; ams deletes its old es-dr pattern"] =
            (Spec.Reversed(),
                FollowerFollowing() with
                {
                    Followers = [],
                    Indices = [new("logs-1", true), new("orders", true)],
                },
                ObservedCluster.Fresh(),
                [
                    """follower PUT /_cluster/settings {"persistent":{"cluster.remote.ams.mode":"proxy","cluster.remote.ams.proxy_address":"ams-es.example.net:9300","cluster.remote.ams.server_name":"ams-es.example.net"}}""",
                    "leader DELETE /_ccr/auto_follow/es-dr-fra",
                    """follower PUT /_ccr/auto_follow/es-dr-ams {"follow_index_pattern":"{{leader_index}}","leader_index_patterns":["logs-*","orders"],"remote_cluster":"ams"}""",
                    Follow("logs-1", "ams"),
                    Follow("orders", "ams"),
                ]),
    };

    public static TheoryData<string> Cases() => new(Table.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_SendsExactlyTheStepsTheTableExpects(string name)
    {
        var (spec, leader, follower, expected) = Table[name];

        var plan = ReplicationPlanner.Plan(spec, leader, follower);

        Assert.Equal(expected, plan.Steps.Select(Show));
        Assert.Empty(plan.Blockers);
    }

    [Fact]
    public void Plan_LeaderOnBasicWithTrialWanted_PlansTheFullSetUpAfterTheTrialStarts()
    {
        var plan = ReplicationPlanner.Plan(Spec, ObservedCluster.Fresh("basic") with { Indices = [new("orders", true)] }, ObservedCluster.Fresh("basic"));

        Assert.Equal(
            ["leader POST /_license/start_trial?acknowledge=true", "follower POST /_license/start_trial?acknowledge=true",
             FollowerKnowsFra, LeaderKnowsAms, AutoFollowFra, Follow("orders")],
            plan.Steps.Select(Show));
    }

    [Theory]
    [InlineData(LicenseTier.Basic, "basic", "elasticsearch.license is 'basic'")]
    [InlineData(LicenseTier.Platinum, "basic", "install the platinum licence")]
    [InlineData(LicenseTier.Trial, "trial", "'trial' (expired)")]
    public void Plan_NoLicenceForCcr_BlocksAndPlansNoCcrCall(LicenseTier wanted, string followerType, string reason)
    {
        var follower = ObservedCluster.Fresh(followerType) with { License = new(followerType, wanted == LicenseTier.Trial ? "expired" : "active") };

        var plan = ReplicationPlanner.Plan(Spec with { License = wanted }, Leader, follower);

        Assert.Contains(reason, Assert.Single(plan.Blockers), StringComparison.Ordinal);
        Assert.Equal([FollowerKnowsFra], plan.Steps.Select(Show));
        Assert.False(plan.IsConverged);
    }

    [Fact]
    public void Plan_LeaderIndexStillFollowing_BlocksThatIndexAndFollowsTheRest()
    {
        var leader = Leader with { Followers = [new("logs-1", "ams", "logs-1", true)] };

        var plan = ReplicationPlanner.Plan(Spec, leader, FollowerFollowing("orders"));

        Assert.Equal([Follow("logs-2")], plan.Steps.Select(Show));
        Assert.Contains("'logs-1' is still a follower of 'logs-1' on 'ams'; promote it first", Assert.Single(plan.Blockers), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_FollowerHasARegularIndexOfTheSameName_BlocksItAndNeverDeletesData()
    {
        var follower = FollowerFollowing("logs-1", "logs-2") with { Indices = [new("logs-1", true), new("logs-2", true), new("orders", true)] };

        var plan = ReplicationPlanner.Plan(Spec, Leader, follower);

        Assert.Empty(plan.Steps);
        Assert.Contains("'orders' exists as a regular index", Assert.Single(plan.Blockers), StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, s => s.Method == "DELETE");
    }

    [Fact]
    public void Plan_FollowerIndexFollowsSomethingElse_BlocksInsteadOfRepointingIt()
    {
        var follower = FollowerFollowing("logs-1", "logs-2") with
        {
            Followers = [new("logs-1", "fra", "logs-1", true), new("logs-2", "fra", "logs-2", true), new("orders", "par", "orders", true)],
            Indices = [new("logs-1", true), new("logs-2", true), new("orders", true)],
        };

        var plan = ReplicationPlanner.Plan(Spec, Leader, follower);

        Assert.Empty(plan.Steps);
        Assert.Contains("'orders' already follows 'orders' on 'par'", Assert.Single(plan.Blockers), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ClosedLeaderIndex_IsNotFollowedAndIsNoted()
    {
        var leader = Leader with { Indices = [new("logs-1", true), new("logs-2", false), new("orders", true)] };

        var plan = ReplicationPlanner.Plan(Spec, leader, FollowerFollowing("logs-1", "orders"));

        Assert.Empty(plan.Steps);
        Assert.Contains("'logs-2' is closed", Assert.Single(plan.Notes), StringComparison.Ordinal);
        Assert.True(plan.IsConverged);
    }

    [Fact]
    public void Plan_PatternsOnTheLeaderNotCreatedByEsDr_AreLeftAloneAndNoted()
    {
        var leader = Leader with
        {
            AutoFollowPatterns =
            [
                new("team-metrics", "ams", ["metrics-*"], [], null, true),
                new("archive", "par", ["archive-*"], [], null, true),
                new("es-dr-par", "par", ["logs-*"], [], "{{leader_index}}", true),
            ],
        };

        var plan = ReplicationPlanner.Plan(Spec, leader, FollowerFollowing("logs-1", "logs-2", "orders"));

        Assert.Equal(["leader DELETE /_ccr/auto_follow/es-dr-par"], plan.Steps.Select(Show));
        Assert.Contains("'team-metrics' (not es-dr's, left alone) follows 'ams'", Assert.Single(plan.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ProxyWithoutServerNameWhereOneIsSet_ResetsTheServerName()
    {
        var spec = Spec with { Follower = ClusterDescription.Proxy("ams", "ams-es.example.net:9300") };
        var leader = Leader with { Remotes = [new ObservedRemote("ams", RemoteMode.Proxy, [], "ams-es.example.net:9300", "old-name", true)] };

        var plan = ReplicationPlanner.Plan(spec, leader, FollowerFollowing("logs-1", "logs-2", "orders"));

        Assert.Equal(
            ["""leader PUT /_cluster/settings {"persistent":{"cluster.remote.ams.mode":"proxy","cluster.remote.ams.proxy_address":"ams-es.example.net:9300","cluster.remote.ams.server_name":null}}"""],
            plan.Steps.Select(Show));
    }

    [Fact]
    public void Plan_ProxyWithoutServerNameWhereNoneIsSet_PlansNothing()
    {
        var spec = Spec with { Follower = ClusterDescription.Proxy("ams", "ams-es.example.net:9300") };
        var leader = Leader with { Remotes = [new ObservedRemote("ams", RemoteMode.Proxy, [], "ams-es.example.net:9300", "", true)] };

        Assert.Empty(ReplicationPlanner.Plan(spec, leader, FollowerFollowing("logs-1", "logs-2", "orders")).Steps);
    }

    [Fact]
    public void Plan_AppliedStateOfAFreshPlan_PlansNothingTheSecondTime()
    {
        var first = ReplicationPlanner.Plan(Spec, Leader with { Remotes = [] }, ObservedCluster.Fresh());
        Assert.Equal(6, first.Steps.Count);

        var second = ReplicationPlanner.Plan(Spec, Leader, FollowerFollowing("logs-1", "logs-2", "orders"));

        Assert.True(second.IsConverged);
    }

    [Fact]
    public void Plan_InvalidSpec_ThrowsNamingEveryProblem()
    {
        var spec = new ReplicationSpec(ClusterDescription.Sniff("Fra"), ClusterDescription.Proxy("ams", "no-port"), ["logs-*", "-x", "a,b"]);

        var e = Assert.Throws<ArgumentException>(() => ReplicationPlanner.Plan(spec, Leader, ObservedCluster.Fresh()));

        Assert.Contains("leader.alias: must match", e.Message, StringComparison.Ordinal);
        Assert.Contains("leader.seeds: sniff mode needs at least one seed", e.Message, StringComparison.Ordinal);
        Assert.Contains("follower.proxyAddress: proxy mode needs host:port, got 'no-port'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'-x' is not a simple index pattern", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a,b' is not a simple index pattern", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_SameAliasTwice_IsAProblem()
    {
        var spec = new ReplicationSpec(Fra, Fra, ["logs-*"]);

        Assert.Contains("follower.alias: must differ from the leader's alias 'fra'", spec.Problems());
    }

    [Fact]
    public void Spec_Reversed_SwapsLeaderAndFollowerAndNamesThePatternAfterTheNewLeader()
    {
        var reversed = Spec.Reversed();

        Assert.Equal(("ams", "fra", "es-dr-ams"), (reversed.Leader.Alias, reversed.Follower.Alias, reversed.AutoFollowName));
    }

    [Theory]
    [InlineData("logs-*", "logs-2024", true)]
    [InlineData("logs-*", "logs-", true)]
    [InlineData("logs-*", "logs", false)]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "orders-archive", false)]
    [InlineData("*-eu-*", "shop-eu-1", true)]
    [InlineData("a*b*a", "aba", true)]
    [InlineData("a*b*a", "ab", false)]
    [InlineData("*", "anything", true)]
    public void SimplePattern_MatchesAsElasticsearchDoes(string pattern, string name, bool matches) =>
        Assert.Equal(matches, SimplePattern.Matches(pattern, name));
}
