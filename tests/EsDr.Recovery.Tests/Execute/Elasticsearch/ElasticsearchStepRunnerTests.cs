using EsDr.Infra.Config;
using EsDr.Recovery.Replication;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Elasticsearch;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Observe.Elasticsearch;

namespace EsDr.Recovery.Tests.Execute.Elasticsearch;

public sealed class ElasticsearchStepRunnerTests : IDisposable
{
    private readonly EsPromotionStandIn es = new();

    /// <summary>The old active cluster (fra), whose leader indices a failover fences when it answers.</summary>
    private readonly EsPromotionStandIn old = new();
    private readonly ElasticsearchConnection http;
    private readonly ElasticsearchConnection oldHttp;
    private readonly ElasticsearchStepRunner runner;

    public ElasticsearchStepRunnerTests()
    {
        http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(es.Url), null);
        oldHttp = ElasticsearchConnection.Create(new ElasticsearchEndpoint(old.Url), null);
        runner = new ElasticsearchStepRunner(new Dictionary<string, ElasticsearchConnection>(StringComparer.Ordinal) { ["dub"] = http, ["fra"] = oldHttp });
    }

    public void Dispose()
    {
        http.Dispose();
        oldHttp.Dispose();
        es.Dispose();
        old.Dispose();
    }

    private static StackConfig Config() => StackConfigParser.Parse("es-dr", "prod", new Dictionary<string, string>
    {
        ["es-dr:namePrefix"] = "shop",
        ["es-dr:activeRegion"] = "fra",
        ["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""",
        ["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["203.0.113.0/24"]}""",
        ["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"]}""",
        ["es-dr:replication"] = """{"indexPatterns":["orders","customers"]}""",
        ["es-dr:regions"] = """
            [
              {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
               "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50}},
              {"name":"dub","cloud":"aws","image":"ami-0f3a9c1e5b7d2a4c6","location":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"state":"standby",
               "network":{"cidr":"10.20.0.0/16"},"elasticsearch":{"nodes":3,"size":"r6i.large","volumeGb":50}}
            ]
            """,
        ["linode:token"] = "SENTINEL-SECRET-token",
    });

    /// <summary>The Elasticsearch steps of the planner's fra → dub failover promoting orders and customers.</summary>
    private static List<ElasticsearchCall> FailoverEsSteps()
    {
        var config = Config();
        var (view, types) = StackView.Offline(config);
        var plan = Planner.RegionFailover(new PlanContext(config, view, types), "fra", "dub", new Reachability(false, false), ReplicatedIndex.SameNames("orders", "customers"));
        return plan.Steps.OfType<ElasticsearchCall>().ToList();
    }

    private static PlanContext Context()
    {
        var config = Config();
        var (view, types) = StackView.Offline(config);
        return new PlanContext(config, view, types);
    }

    private const string BlockBody = """{"blocks":{"write":true}}""";
    private const string UnblockBody = """{"blocks":{"write":false}}""";

    private static List<string> StateChanging(EsPromotionStandIn cluster) =>
        cluster.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();

    private async Task Run(IEnumerable<ElasticsearchCall> steps)
    {
        foreach (var step in steps) await runner.RunAsync(step);
    }

    private List<string> StateChanging() => es.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToList();

    private void TwoActiveFollowers()
    {
        es.Indices["orders"] = new StandInIndex { Follow = "active" };
        es.Indices["customers"] = new StandInIndex { Follow = "active" };
    }

    [Fact]
    public void Planned_calls_are_what_the_official_client_renders_for_each_typed_request()
    {
        var steps = FailoverEsSteps();

        Assert.Equal(
            [
                "POST /orders/_ccr/pause_follow", "POST /orders/_close", "POST /orders/_ccr/unfollow", "POST /orders/_open",
                "POST /customers/_ccr/pause_follow", "POST /customers/_close", "POST /customers/_ccr/unfollow", "POST /customers/_open",
            ],
            steps.Select(s => $"{s.Method} {s.Path}"));
        Assert.All(steps, s => Assert.NotNull(ElasticsearchApi.Matching(s.Method, s.Path, s.Body)));
    }

    [Fact]
    public async Task Allocation_exclusion_is_sent_exactly_as_planned_and_its_result_names_the_request_the_client_sent()
    {
        var call = ElasticsearchCall.Of("dub", ElasticsearchApi.PersistentSetting(ElasticsearchApi.ExcludeByName, "es-dub-1"), "exclude", "idempotent");

        var result = await runner.RunAsync(call);

        Assert.Equal("""{"persistent":{"cluster.routing.allocation.exclude._name":"es-dub-1"}}""", call.Body);
        Assert.Equal([$"PUT /_cluster/settings {call.Body}"], es.Requests);
        Assert.Equal($"sent PUT {es.Url}_cluster/settings {call.Body} → 200", result);
        Assert.Equal("es-dub-1", es.PersistentSettings[ElasticsearchApi.ExcludeByName]);
    }

    [Fact]
    public async Task Lifting_the_exclusion_sends_null_as_planned()
    {
        es.PersistentSettings[ElasticsearchApi.ExcludeByName] = "es-dub-1";
        var call = ElasticsearchCall.Of("dub", ElasticsearchApi.PersistentSetting(ElasticsearchApi.ExcludeByName, null), "lift", "idempotent");

        await runner.RunAsync(call);

        Assert.Equal("""{"persistent":{"cluster.routing.allocation.exclude._name":null}}""", call.Body);
        Assert.Equal([$"PUT /_cluster/settings {call.Body}"], es.Requests);
        Assert.False(es.PersistentSettings.ContainsKey(ElasticsearchApi.ExcludeByName));
    }

    [Fact]
    public async Task Audit_trail_records_each_planned_call_and_the_request_the_client_sent_for_it()
    {
        TwoActiveFollowers();
        var dir = Directory.CreateTempSubdirectory("esdr-audit-");
        try
        {
            using var audit = AuditTrail.Open(Path.Combine(dir.FullName, "audit.db"), Redactor.None);
            var plan = new RecoveryPlan(RecoveryKind.RegionFailover, "promote dub", FailoverEsSteps());

            var outcome = await new RecoveryExecutor(audit, runner, TimeProvider.System).RunAsync(plan, RecoveryTrigger.Operator);

            var steps = audit.Recovery(outcome.RecoveryId)!.Steps;
            Assert.Equal(RecoveryStatus.Succeeded, outcome.Status);
            Assert.Equal("[es dub] POST /orders/_ccr/pause_follow", steps[0].Rendered);
            Assert.Equal($"sent POST {es.Url}orders/_ccr/pause_follow → 200", steps[0].Detail);
            Assert.All(steps.Zip(plan.Steps.Cast<ElasticsearchCall>()), p =>
                Assert.Equal($"sent {p.Second.Method} {new Uri(es.Url, p.Second.Path.TrimStart('/'))} → 200", p.First.Detail));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Failover_promotes_each_follower_with_exactly_pause_close_unfollow_open()
    {
        TwoActiveFollowers();

        await Run(FailoverEsSteps());

        Assert.Equal(
            [
                "POST /orders/_ccr/pause_follow", "POST /orders/_close", "POST /orders/_ccr/unfollow", "POST /orders/_open",
                "POST /customers/_ccr/pause_follow", "POST /customers/_close", "POST /customers/_ccr/unfollow", "POST /customers/_open",
            ],
            StateChanging());
        Assert.Equal(
            [
                "GET /orders/_ccr/info", "POST /orders/_ccr/pause_follow",
                "GET /orders/_ccr/info", "GET /_cat/indices/orders?format=json&h=index,status&expand_wildcards=all", "POST /orders/_close",
                "GET /orders/_ccr/info", "POST /orders/_ccr/unfollow",
                "GET /_cat/indices/orders?format=json&h=index,status&expand_wildcards=all", "POST /orders/_open",
                "GET /customers/_ccr/info", "POST /customers/_ccr/pause_follow",
                "GET /customers/_ccr/info", "GET /_cat/indices/customers?format=json&h=index,status&expand_wildcards=all", "POST /customers/_close",
                "GET /customers/_ccr/info", "POST /customers/_ccr/unfollow",
                "GET /_cat/indices/customers?format=json&h=index,status&expand_wildcards=all", "POST /customers/_open",
            ],
            es.Requests);
        Assert.All(es.Indices.Values, i =>
        {
            Assert.Null(i.Follow);
            Assert.True(i.Open);
        });
    }

    [Fact]
    public async Task Running_the_promotion_again_sends_only_reads()
    {
        TwoActiveFollowers();
        await Run(FailoverEsSteps());
        es.ClearRequests();

        await Run(FailoverEsSteps());

        Assert.NotEmpty(es.Requests);
        Assert.Empty(StateChanging());
        Assert.All(es.Indices.Values, i => Assert.True(i.Open && i.Follow is null));
    }

    [Fact]
    public async Task A_promotion_interrupted_after_close_resumes_with_unfollow_and_open_only()
    {
        es.Indices["orders"] = new StandInIndex { Follow = "paused", Open = false };
        es.Indices["customers"] = new StandInIndex { Follow = "active" };

        await Run(FailoverEsSteps().Where(s => s.Path.StartsWith("/orders/", StringComparison.Ordinal)));

        Assert.Equal(["POST /orders/_ccr/unfollow", "POST /orders/_open"], StateChanging());
        Assert.True(es.Indices["orders"].Open);
        Assert.Null(es.Indices["orders"].Follow);
    }

    [Fact]
    public async Task Unfollow_of_an_open_follower_is_refused_as_elasticsearch_refuses_it()
    {
        es.Indices["orders"] = new StandInIndex { Follow = "paused" };
        var unfollow = FailoverEsSteps().Single(s => s.Path == "/orders/_ccr/unfollow");

        var error = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => runner.RunAsync(unfollow));

        Assert.Contains("400 illegal_argument_exception", error.Message, StringComparison.Ordinal);
        Assert.Contains("has not been closed", error.Message, StringComparison.Ordinal);
        Assert.Equal("paused", es.Indices["orders"].Follow);
    }

    [Fact]
    public async Task A_missing_index_fails_the_step()
    {
        var pause = FailoverEsSteps().First();

        var error = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => runner.RunAsync(pause));

        Assert.Contains("index_not_found_exception", error.Message, StringComparison.Ordinal);
        Assert.Empty(StateChanging());
    }

    [Fact]
    public void Write_block_calls_are_what_the_official_client_renders_for_an_index_settings_update()
    {
        var block = ElasticsearchApi.WriteBlock("orders", true);
        var lift = ElasticsearchApi.WriteBlock("orders", false);

        Assert.Equal(("PUT", "/orders/_settings?ignore_unavailable=true", BlockBody), (block.Method, block.Path, block.Body));
        Assert.Equal(("PUT", "/orders/_settings?ignore_unavailable=true", UnblockBody), (lift.Method, lift.Path, lift.Body));
        Assert.NotNull(ElasticsearchApi.Matching("PUT", "/orders/_settings?ignore_unavailable=true", BlockBody));
        Assert.NotNull(ElasticsearchApi.Matching("PUT", "/orders/_settings?ignore_unavailable=true", UnblockBody));
        Assert.Null(ElasticsearchApi.Matching("PUT", "/orders/_settings?ignore_unavailable=true", """{"blocks":{"read_only":true}}"""));
    }

    [Fact]
    public async Task Failover_fences_exactly_the_leader_indices_on_the_old_cluster_before_promoting_when_it_answers()
    {
        TwoActiveFollowers();
        old.Indices["orders"] = new StandInIndex();
        old.Indices["customers"] = new StandInIndex();
        old.Indices["sessions"] = new StandInIndex(); // not replicated: not the failover's to fence
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(Elasticsearch: true, MySql: false), ReplicatedIndex.SameNames("orders", "customers"));
        var steps = plan.Steps.OfType<ElasticsearchCall>().ToList();

        await Run(steps);

        Assert.Equal(["fra", "fra"], steps.TakeWhile(s => s.Region == "fra").Select(s => s.Region));
        Assert.DoesNotContain(steps.SkipWhile(s => s.Region == "fra"), s => s.Region == "fra");
        Assert.Equal([$"PUT /orders/_settings?ignore_unavailable=true {BlockBody}", $"PUT /customers/_settings?ignore_unavailable=true {BlockBody}"], old.Requests);
        Assert.Equal(new Dictionary<string, bool> { ["index.blocks.write"] = true }, old.Indices["orders"].Settings);
        Assert.Equal(new Dictionary<string, bool> { ["index.blocks.write"] = true }, old.Indices["customers"].Settings);
        Assert.Empty(old.Indices["sessions"].Settings);
        Assert.All(es.Indices.Values, i => Assert.True(i.Open && i.Follow is null && !i.WriteBlocked));
        Assert.DoesNotContain("did not answer", plan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fence_names_the_leader_index_a_follower_follows_not_the_followers_own_name()
    {
        es.Indices["orders-copy"] = new StandInIndex { Follow = "active" };
        old.Indices["orders"] = new StandInIndex();
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(true, false), [new ReplicatedIndex("orders-copy", "orders")]);

        await Run(plan.Steps.OfType<ElasticsearchCall>());

        Assert.Equal([$"PUT /orders/_settings?ignore_unavailable=true {BlockBody}"], old.Requests);
        Assert.True(old.Indices["orders"].WriteBlocked);
        Assert.Equal("POST /orders-copy/_ccr/pause_follow", StateChanging()[0]);
    }

    [Fact]
    public async Task Fencing_again_sets_the_same_value_and_changes_nothing()
    {
        TwoActiveFollowers();
        old.Indices["orders"] = new StandInIndex();
        old.Indices["customers"] = new StandInIndex();
        var steps = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(true, false), ReplicatedIndex.SameNames("orders", "customers"))
            .Steps.OfType<ElasticsearchCall>().ToList();
        await Run(steps);
        old.ClearRequests();
        es.ClearRequests();

        await Run(steps);

        Assert.Equal([$"PUT /orders/_settings?ignore_unavailable=true {BlockBody}", $"PUT /customers/_settings?ignore_unavailable=true {BlockBody}"], old.Requests);
        Assert.All(old.Indices.Values, i => Assert.Equal(new Dictionary<string, bool> { ["index.blocks.write"] = true }, i.Settings));
        Assert.Empty(StateChanging());
    }

    [Fact]
    public void A_failover_from_a_cluster_that_does_not_answer_sends_it_nothing_and_says_it_is_not_fenced()
    {
        var plan = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(false, false), ReplicatedIndex.SameNames("orders"));

        Assert.DoesNotContain(plan.Steps, s => s is ElasticsearchCall { Region: "fra" });
        Assert.Equal("fail over from fra to dub (fra's cluster did not answer: its indices are not write-blocked)", plan.Summary);
    }

    [Fact]
    public async Task Failback_fences_the_side_that_stops_being_written_and_leaves_the_promoted_side_writable()
    {
        // fra is active (the leader); dub follows it and becomes active. One of dub's indices carries a block left from
        // an earlier fence: the region that becomes active must end writable all the same.
        old.Indices["orders"] = new StandInIndex();
        old.Indices["customers"] = new StandInIndex();
        es.Indices["orders"] = new StandInIndex { Follow = "active" };
        es.Indices["customers"] = new StandInIndex { Follow = "active" };
        es.Indices["customers"].Settings["index.blocks.write"] = true;
        var plan = Planner.Failback(Context(), "dub", ReplicatedIndex.SameNames("orders", "customers"));
        var steps = plan.Steps.OfType<ElasticsearchCall>().ToList();

        await Run(steps);

        Assert.Equal([$"PUT /orders/_settings?ignore_unavailable=true {BlockBody}", $"PUT /customers/_settings?ignore_unavailable=true {BlockBody}"], old.Requests);
        Assert.All(old.Indices.Values, i => Assert.True(i.WriteBlocked));
        Assert.Equal(
            [
                "POST /orders/_ccr/pause_follow", "POST /orders/_close", "POST /orders/_ccr/unfollow", "POST /orders/_open",
                "POST /customers/_ccr/pause_follow", "POST /customers/_close", "POST /customers/_ccr/unfollow", "POST /customers/_open",
                $"PUT /orders/_settings?ignore_unavailable=true {UnblockBody}", $"PUT /customers/_settings?ignore_unavailable=true {UnblockBody}",
            ],
            StateChanging(es));
        Assert.All(es.Indices.Values, i => Assert.True(i.Open && i.Follow is null && !i.WriteBlocked));
        Assert.All(es.Indices.Values, i => Assert.Equal(["index.blocks.write"], i.Settings.Keys));
    }

    [Fact]
    public async Task A_leader_index_the_old_cluster_no_longer_has_does_not_stall_the_failover()
    {
        old.Indices["customers"] = new StandInIndex();
        var fences = Planner.RegionFailover(Context(), "fra", "dub", new Reachability(true, false), ReplicatedIndex.SameNames("orders", "customers"))
            .Steps.OfType<ElasticsearchCall>().Where(s => s.Region == "fra").ToList();

        var results = new List<string?>();
        foreach (var fence in fences) results.Add(await runner.RunAsync(fence));

        Assert.All(results, r => Assert.EndsWith("→ 200", r, StringComparison.Ordinal));
        Assert.Equal(["customers"], old.Indices.Keys);
        Assert.True(old.Indices["customers"].WriteBlocked);
    }

    [Fact]
    public async Task Without_ignore_unavailable_the_stand_in_refuses_a_missing_index_as_elasticsearch_does()
    {
        var answer = await oldHttp.SendAsync("PUT", "/orders/_settings", BlockBody, CancellationToken.None);

        Assert.Equal(404, answer.StatusCode);
        Assert.Contains("index_not_found_exception", answer.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Steps_that_are_not_elasticsearch_calls_are_refused()
    {
        var step = new MySqlStatement("dub", "STOP SLAVE;", "stop", "only warns");

        await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(step));
    }
}
