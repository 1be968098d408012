using EsDr.Infra.Config;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Plan;

public class PlannerTests
{
    private static StackConfig Config(string fraNodeGenerations = "{}") => StackConfigParser.Parse("es-dr", "prod", new Dictionary<string, string>
    {
        ["es-dr:namePrefix"] = "shop",
        ["es-dr:activeRegion"] = "fra",
        ["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""",
        ["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["203.0.113.0/24"]}""",
        ["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"]}""",
        ["es-dr:tags"] = """{"team":"search"}""",
        ["es-dr:replication"] = """{"indexPatterns":["orders"]}""",
        ["es-dr:regions"] = $$$$"""
            [
              {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
               "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50,"nodeGenerations":{{{{fraNodeGenerations}}}}}},
              {"name":"dub","cloud":"aws","image":"ami-0f3a9c1e5b7d2a4c6","location":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"state":"standby",
               "network":{"cidr":"10.20.0.0/16"},"elasticsearch":{"nodes":3,"size":"r6i.large","volumeGb":50,"nodeGenerations":{"2":3}}}
            ]
            """,
        ["linode:token"] = "SENTINEL-SECRET-token",
    });

    private static PlanContext Context()
    {
        var config = Config();
        var (view, types) = StackView.Offline(config);
        // Node 2 of fra after its generation bump: the lead resolves types from the compiled (bumped) program too.
        var (_, bumped) = StackView.Offline(Config("""{"2":2}"""));
        return new PlanContext(config, view, name => view.AllResources.Contains(name) ? types(name) : bumped(name));
    }

    private static string[] Rendered(RecoveryPlan plan) => plan.Steps.Select(s => s.Render()).ToArray();

    private static IEnumerable<string> Targets(RecoveryPlan plan) =>
        plan.Steps.OfType<PulumiCommand>().SelectMany(c => c.Args.Zip(c.Args.Skip(1)).Where(p => p.First == "--target").Select(p => p.Second));

    [Fact]
    public void Node_rebuild_of_an_answering_node_drains_bumps_targets_waits_and_lifts_in_order()
    {
        var ctx = Context();
        var plan = Planner.NodeRebuild(ctx, "fra", "shop-fra-es-2", nodeAnswers: true);
        var r = Rendered(plan);

        Assert.Equal(6, r.Length);
        Assert.Equal("""[es fra] PUT /_cluster/settings {"persistent":{"cluster.routing.allocation.exclude._name":"shop-fra-es-2"}}""", r[0]);
        Assert.Equal("""pulumi config set --stack prod --path 'regions[0].elasticsearch.nodeGenerations["2"]' 2 --type int""", r[1]);
        Assert.StartsWith("pulumi up --stack prod --yes --skip-preview --target-dependents --target urn:pulumi:prod::es-dr::", r[2], StringComparison.Ordinal);
        Assert.Equal("[wait] node shop-fra-es-2-gen2 joined the cluster in fra (GET /_cat/nodes lists it)", r[3]);
        Assert.Equal("[wait] cluster in fra is green (GET /_cluster/health status=green)", r[4]);
        Assert.Equal("""[es fra] PUT /_cluster/settings {"persistent":{"cluster.routing.allocation.exclude._name":null}}""", r[5]);
    }

    [Fact]
    public void Node_rebuild_targets_the_old_and_new_node_and_the_balancer_but_no_other_node()
    {
        var ctx = Context();
        var plan = Planner.NodeRebuild(ctx, "fra", "shop-fra-es-2", nodeAnswers: false);
        var targets = Targets(plan).ToList();
        var fra = ctx.View.Region("fra");

        Assert.All(fra.Nodes.Single(n => n.Ordinal == 2).Resources, r => Assert.Contains(ctx.Urn(r), targets));
        Assert.Contains(targets, t => t.EndsWith("::fra-es-2-gen2", StringComparison.Ordinal));
        var others = ctx.View.Regions.SelectMany(g => g.Nodes).Where(n => n.Name != "shop-fra-es-2").SelectMany(n => n.Resources).ToHashSet();
        Assert.DoesNotContain(targets, t => others.Contains(t[(t.LastIndexOf("::", StringComparison.Ordinal) + 2)..]));
        Assert.DoesNotContain(plan.Steps, s => s is ElasticsearchCall);
        Assert.DoesNotContain("initial_master_nodes", plan.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Failover_fences_promotes_sets_config_then_runs_up_on_everything_but_the_lost_region()
    {
        var ctx = Context();
        var plan = Planner.RegionFailover(ctx, "fra", "dub", new Reachability(false, true), ReplicatedIndex.SameNames("orders"));
        var r = Rendered(plan);

        Assert.Equal(
        [
            "[mysql fra] SET GLOBAL read_only = ON;",
            "[es dub] POST /orders/_ccr/pause_follow",
            "[es dub] POST /orders/_close",
            "[es dub] POST /orders/_ccr/unfollow",
            "[es dub] POST /orders/_open",
            "[mysql dub] STOP SLAVE;",
            "[mysql dub] RESET SLAVE ALL;",
            "[mysql dub] SET GLOBAL read_only = OFF;",
            "pulumi config set --stack prod activeRegion dub",
            "pulumi config set --stack prod --path 'regions[0].state' lost",
            "pulumi config set --stack prod --path 'regions[1].state' active",
        ], r[..^1]);
        Assert.StartsWith("pulumi up --stack prod --yes --skip-preview --exclude 'urn:pulumi:prod::es-dr::**::fra-", r[^1], StringComparison.Ordinal);
        Assert.Empty(Targets(plan));
    }

    [Fact]
    public void Failover_leaves_in_what_is_named_after_the_lost_region_but_lives_in_no_cloud_of_it()
    {
        var ctx = Context();
        var up = Planner.RegionFailover(ctx, "fra", "dub", new Reachability(false, false), ReplicatedIndex.SameNames("orders")).Steps.OfType<PulumiCommand>().Last();
        var excludes = PulumiArgs.Values(up.Args, "--exclude");

        // fra's generated password is a cross-region resource (the replication command reads it).
        Assert.DoesNotContain(excludes, e => PulumiUrnGlob.Matches(e, ctx.Urn("fra-elastic-password")));
        Assert.All(ctx.View.Region("fra").AllResources, n => Assert.Contains(excludes, e => PulumiUrnGlob.Matches(e, ctx.Urn(n))));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void Every_failover_where_the_old_cluster_answers_write_blocks_its_leader_indices_before_any_promotion(bool es, bool mysql)
    {
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(es, mysql), [new("orders", "orders"), new("eu-customers", "customers")]);
        var r = Rendered(plan);

        Assert.Equal(
        [
            """[es fra] PUT /orders/_settings?ignore_unavailable=true {"blocks":{"write":true}}""",
            """[es fra] PUT /customers/_settings?ignore_unavailable=true {"blocks":{"write":true}}""",
        ], r.Take(2));
        Assert.Equal(2, r.Count(x => x.StartsWith("[es fra]", StringComparison.Ordinal)));
        Assert.True(r.IndexOf("[es dub] POST /orders/_ccr/pause_follow") > 1);
        Assert.All(plan.Steps.OfType<ElasticsearchCall>().Where(s => s.Region == "fra"),
            s => Assert.Equal("Setting a value that is already set changes nothing.", s.Idempotency));
    }

    [Fact]
    public void Simulated_cluster_red_fences_the_old_cluster_and_region_loss_says_it_cannot()
    {
        var red = Planner.Simulate("cluster-red", Config());
        var loss = Planner.Simulate("region-loss", Config());

        Assert.StartsWith("[es fra] PUT /%3Corders%3E/_settings", red.Steps[0].Render(), StringComparison.Ordinal);
        Assert.DoesNotContain(loss.Steps, s => s is ElasticsearchCall { Region: "fra" });
        Assert.Contains("fra's cluster did not answer: its indices are not write-blocked", loss.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Failover_does_not_fence_an_unreachable_primary()
    {
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(false, false), ReplicatedIndex.SameNames("orders"));
        Assert.DoesNotContain(plan.Steps, s => s is MySqlStatement m && m.Region == "fra");
    }

    [Fact]
    public void Region_rebuild_bumps_generation_resets_nodes_builds_waits_and_becomes_standby()
    {
        var plan = Planner.RegionRebuild(Context(), "dub");
        Assert.Equal(
        [
            "pulumi config set --stack prod --path 'regions[1].generation' 2 --type int",
            """pulumi config set --stack prod --path 'regions[1].elasticsearch.nodeGenerations["2"]' 1 --type int""",
            "pulumi config set --stack prod --path 'regions[1].state' rebuilding",
            "pulumi up --stack prod --yes --skip-preview",
            "[wait] cluster in dub is green (GET /_cluster/health status=green)",
            "pulumi config set --stack prod --path 'regions[1].state' standby",
            "pulumi up --stack prod --yes --skip-preview",
        ], Rendered(plan));
    }

    [Fact]
    public void Failback_stops_writes_waits_for_zero_lag_before_promoting()
    {
        var plan = Planner.Failback(Context(), "dub", ReplicatedIndex.SameNames("orders"));
        var r = Rendered(plan);
        Assert.Equal("[mysql fra] SET GLOBAL read_only = ON;", r[0]);
        Assert.Equal("""[es fra] PUT /orders/_settings?ignore_unavailable=true {"blocks":{"write":true}}""", r[1]);
        Assert.StartsWith("[wait] writes to fra stopped", r[2], StringComparison.Ordinal);
        Assert.StartsWith("[wait] CCR followers in dub caught up", r[3], StringComparison.Ordinal);
        Assert.StartsWith("[wait] MySQL replica in dub caught up with fra", r[4], StringComparison.Ordinal);
        Assert.Equal("[es dub] POST /orders/_ccr/pause_follow", r[5]);
        Assert.Equal("[mysql dub] SET GLOBAL read_only = OFF;", r[11]);
        Assert.Equal("""[es dub] PUT /orders/_settings?ignore_unavailable=true {"blocks":{"write":false}}""", r[12]);
        Assert.Equal(
        [
            "pulumi config set --stack prod activeRegion dub",
            "pulumi config set --stack prod --path 'regions[1].state' active",
            "pulumi config set --stack prod --path 'regions[0].state' standby",
            "pulumi up --stack prod --yes --skip-preview",
        ], r[13..]);
    }

    [Theory]
    [InlineData("node-loss", "NodeRebuild")]
    [InlineData("region-loss", "RegionFailover")]
    [InlineData("cluster-red", "RegionFailover")]
    [InlineData("replica-broken", "RegionRebuild")]
    [InlineData("standby-loss", "RegionRebuild")]
    public void Simulate_yields_the_plan_for_each_scenario_using_only_known_pulumi_flags(string scenario, string kind)
    {
        var plan = Planner.Simulate(scenario, Config());
        Assert.Equal(kind, plan.Kind.ToString());
        Assert.NotEmpty(plan.Steps);
        foreach (var c in plan.Steps.OfType<PulumiCommand>())
            PulumiFlags.Validate(c.Args);
        var rendered = plan.Render();
        Assert.All(plan.Steps, s => Assert.Contains(s.Render(), rendered, StringComparison.Ordinal));
    }

    [Fact]
    public void Simulate_rejects_an_unknown_scenario() =>
        Assert.Throws<ArgumentException>(() => Planner.Simulate("meteor", Config()));

    [Theory]
    [InlineData(new[] { "up", "--yes", "--skip-preview", "--target", "urn:x" }, true)]
    [InlineData(new[] { "config", "set", "--path", "regions[1].state", "lost" }, true)]
    [InlineData(new[] { "up", "--yes=true", "--refresh=true" }, true)]
    [InlineData(new[] { "up", "--auto-approve" }, false)]
    [InlineData(new[] { "config", "set", "--path", "a", "1", "--type" }, false)]
    [InlineData(new[] { "destroy", "--yes" }, false)]
    [InlineData(new[] { "config", "set", "--yes", "a", "b" }, false)]
    public void Pulumi_commands_with_unknown_flags_are_rejected(string[] args, bool valid)
    {
        if (valid) PulumiFlags.Validate(args);
        else Assert.Throws<UnknownPulumiFlagException>(() => new PulumiCommand(args, "x", "y"));
    }

    /// <summary>The repository's example stack on MySQL 8.4 (<c>es-dr:database.engine: mysql</c>): ewr active, fra standby.</summary>
    private static StackConfig MySqlStack()
    {
        var path = Path.Combine(Tests.Operate.OperatorTestbed.FindRoot(), "stacks", "Pulumi.linode-shop.yaml");
        var file = StackFile.Load(path, "es-dr");
        var config = StackConfigParser.Parse("es-dr", file.Stack, file.Config, file.SecretKeys);
        Assert.Equal(DatabaseEngine.MySql, config.Database?.Engine);
        return config;
    }

    [Fact]
    public void A_MySQL_84_stacks_plans_use_only_MySQL_84_syntax()
    {
        var config = MySqlStack();
        var (view, types) = StackView.Offline(config);
        var ctx = new PlanContext(config, view, types);
        var plans = Planner.Scenarios.Select(s => Planner.Simulate(s, config))
            .Append(Planner.RegionFailover(ctx, "ewr", "fra", new Reachability(true, true), ReplicatedIndex.SameNames("products-1")))
            .Append(Planner.Failback(ctx, "fra", ReplicatedIndex.SameNames("products-1")))
            .ToList();

        var mysql = plans.SelectMany(p => p.Steps)
            .Where(s => s is MySqlStatement or WaitFor { Condition: MySqlCaughtUp or WritesStopped })
            .Select(s => s.Render()).Distinct().ToList();
        string[] expected =
        [
            "[mysql ewr] SET GLOBAL super_read_only = ON;",
            "[mysql fra] STOP REPLICA;",
            "[mysql fra] RESET REPLICA ALL;",
            "[mysql fra] SET GLOBAL read_only = OFF;",
            "[wait] writes to ewr stopped (MySQL read_only=ON; its replicated indices are write-blocked by the steps before)",
            "[wait] MySQL replica in fra caught up with ewr (Seconds_Behind_Source=0 and gtid_executed contains the primary's)",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), mysql.Order(StringComparer.Ordinal));
        Assert.All(plans, p => Assert.DoesNotMatch(Tests.Sql.SqlDialectTests.NotMySql84(), p.Render()));
    }

    [Fact]
    public void A_MySQL_84_fence_is_super_read_only_and_says_so()
    {
        var config = MySqlStack();
        var (view, types) = StackView.Offline(config);

        var fence = Assert.IsType<MySqlStatement>(Planner.RegionFailover(new PlanContext(config, view, types), "ewr", "fra", new Reachability(false, true), []).Steps[0]);

        Assert.Equal("SET GLOBAL super_read_only = ON;", fence.Sql);
        Assert.Equal("super_read_only is a setting; setting it again changes nothing.", fence.Idempotency);
    }

    [Fact]
    public void Render_prints_every_exact_call()
    {
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(true, true), ReplicatedIndex.SameNames("orders"));
        var text = plan.Render();
        Assert.Contains("[es dub] POST /orders/_ccr/unfollow", text, StringComparison.Ordinal);
        Assert.Contains("[mysql dub] RESET SLAVE ALL;", text, StringComparison.Ordinal);
        Assert.Contains("pulumi config set --stack prod activeRegion dub", text, StringComparison.Ordinal);
        Assert.Contains("idempotent: ", text, StringComparison.Ordinal);
    }
}
