using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary><c>es-dr:recovery</c>: the recovery program's settings, optional, every error under its key path.</summary>
public class RecoverySettingsTests
{
    private static Dictionary<string, string> With(JsonNode recovery)
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:recovery"] = recovery.ToJsonString();
        return config;
    }

    [Fact]
    public void Absent_LeavesEveryDefaultToTheRecoveryProgram() =>
        Assert.Null(TestConfig.Parse().Recovery);

    [Fact]
    public void Full_ReadsEveryKey()
    {
        var settings = TestConfig.Parse(With(JsonNode.Parse("""
            {
              "auto": ["nodeRebuild", "regionFailover"],
              "blockPeriod": "45m", "maxPromotionLag": "5s", "pauseFile": "/run/es-dr/pause",
              "auditDatabase": "/var/lib/es-dr/audit.db",
              "hooks": { "pre": ["/usr/local/bin/page-oncall"], "post": ["logger es-dr done", "true"] },
              "etcd": { "endpoints": ["http://10.0.0.5:2379", "http://10.0.0.6:2379"], "leaseTtlSeconds": 20 },
              "analysis": { "confirmAfter": 4, "clearAfter": 6, "minAgreeingVantages": 1, "redGracePeriod": "90" }
            }
            """)!)).Recovery!;

        Assert.Equal([AutoRecovery.NodeRebuild, AutoRecovery.RegionFailover], settings.Auto);
        Assert.Equal(TimeSpan.FromMinutes(45), settings.BlockPeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MaxPromotionLag);
        Assert.Equal("/run/es-dr/pause", settings.PauseFile);
        Assert.Equal("/var/lib/es-dr/audit.db", settings.AuditDatabase);
        Assert.Equal(["/usr/local/bin/page-oncall"], settings.PreHooks);
        Assert.Equal(["logger es-dr done", "true"], settings.PostHooks);
        Assert.Equal([new Uri("http://10.0.0.5:2379"), new Uri("http://10.0.0.6:2379")], settings.Etcd!.Endpoints);
        Assert.Equal(20, settings.Etcd.LeaseTtlSeconds);
        Assert.Equal((4, 6, 1), (settings.ConfirmAfter, settings.ClearAfter, settings.MinAgreeingVantages));
        Assert.Equal(TimeSpan.FromSeconds(90), settings.RedGracePeriod);
    }

    [Fact]
    public void MinVantagesForRegionActions_IsReadUnderAnalysis_AndLeftOutKeepsTheProgramsDefault()
    {
        var one = TestConfig.Parse(With(JsonNode.Parse("""{"analysis": {"minVantagesForRegionActions": 1}}""")!)).Recovery!;
        var absent = TestConfig.Parse(With(JsonNode.Parse("""{"analysis": {"confirmAfter": 3}}""")!)).Recovery!;

        Assert.Equal(1, one.MinVantagesForRegionActions);
        Assert.Null(absent.MinVantagesForRegionActions);
    }

    [Fact]
    public void Git_IsReadWithItsDefaults_AndAbsentMeansRecoveryDoesNotCommit()
    {
        var full = TestConfig.Parse(With(JsonNode.Parse("""
            {"git": {"remote": "git@github.com:acme/stack.git", "branch": "deploy/prod", "authorName": "es-dr bot", "authorEmail": "bot@acme.example"}}
            """)!)).Recovery!;
        var empty = TestConfig.Parse(With(JsonNode.Parse("""{"git": {}}""")!)).Recovery!;
        var absent = TestConfig.Parse(With(JsonNode.Parse("""{"blockPeriod": "30m"}""")!)).Recovery!;

        Assert.Equal(new GitPublishSettings("git@github.com:acme/stack.git", "deploy/prod", "es-dr bot", "bot@acme.example"), full.Git);
        Assert.Equal(new GitPublishSettings("origin", null, null, null), empty.Git);
        Assert.Null(absent.Git);
    }

    [Theory]
    [InlineData("""{"auto": ["failback"]}""", "es-dr:recovery.auto[0]", "must be one of nodeRebuild, regionFailover, regionRebuild, got 'failback'")]
    [InlineData("""{"blockPeriod": "half an hour"}""", "es-dr:recovery.blockPeriod", "must be a duration such as 90s, 30m or 2h, got 'half an hour'")]
    [InlineData("""{"etcd": {"endpoints": ["etcd:2379"]}}""", "es-dr:recovery.etcd.endpoints[0]", "must be an http(s) URL of etcd's gateway, got 'etcd:2379'")]
    [InlineData("""{"etcd": {"endpoints": ["http://e:2379"], "leaseTtlSeconds": 0}}""", "es-dr:recovery.etcd.leaseTtlSeconds", "must be at least 1, got 0")]
    [InlineData("""{"analysis": {"confirmAfter": 0}}""", "es-dr:recovery.analysis.confirmAfter", "must be at least 1, got 0")]
    [InlineData("""{"analysis": {"minVantagesForRegionActions": 0}}""", "es-dr:recovery.analysis.minVantagesForRegionActions", "must be at least 1, got 0")]
    [InlineData("""{"hooks": {"pre": [""]}}""", "es-dr:recovery.hooks.pre[0]", "must be a shell command, got an empty string")]
    [InlineData("""{"hooks": {"during": ["x"]}}""", "es-dr:recovery.hooks.during", "unknown key (expected one of: pre, post)")]
    [InlineData("""{"blockperiod": "30m"}""", "es-dr:recovery.blockperiod", "unknown key (expected one of: auto, blockPeriod, maxPromotionLag, pauseFile, auditDatabase, hooks, etcd, analysis, git)")]
    [InlineData("""{"git": {"remote": "--upload-pack=evil"}}""", "es-dr:recovery.git.remote", "must be a git remote's name or URL, got '--upload-pack=evil'")]
    [InlineData("""{"git": {"remote": "https://bob:tok3n@git.example.com/acme/stack.git"}}""", "es-dr:recovery.git.remote", "must not carry a password: the stack file is committed; use a credential helper or an SSH key")]
    [InlineData("""{"git": {"branch": "-main"}}""", "es-dr:recovery.git.branch", "must be a branch name such as main or deploy/prod, got '-main'")]
    [InlineData("""{"git": {"branch": "a..b"}}""", "es-dr:recovery.git.branch", "must be a branch name such as main or deploy/prod, got 'a..b'")]
    [InlineData("""{"git": {"authorName": "Bot <x>"}}""", "es-dr:recovery.git.authorName", "must be a name without '<' or '>', got 'Bot <x>'")]
    [InlineData("""{"git": {"authorEmail": "not-an-address"}}""", "es-dr:recovery.git.authorEmail", "must be an e-mail address, got 'not-an-address'")]
    [InlineData("""{"git": {"push": true}}""", "es-dr:recovery.git.push", "unknown key (expected one of: remote, branch, authorName, authorEmail)")]
    public void Invalid_IsReportedUnderItsKeyPath(string recovery, string path, string message)
    {
        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(With(JsonNode.Parse(recovery)!)));

        Assert.Contains(error.Errors, e => e.Path == path && e.Message == message);
    }
}
