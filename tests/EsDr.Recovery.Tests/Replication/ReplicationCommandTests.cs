using System.CommandLine;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>
/// <c>es-dr-recovery replication apply</c>, as the compiled program's <c>command:local:Command</c> runs it, against two
/// loopback stand-ins that answer and validate requests as the Elasticsearch API specification describes.
/// </summary>
[Collection("live processes")]
public sealed class ReplicationCommandTests : IDisposable
{
    private const string Password = "Stand1nPassw0rd";
    private readonly StandInNetwork network = new();
    private readonly CcrStandIn fra;
    private readonly CcrStandIn dub;

    public ReplicationCommandTests()
    {
        fra = new CcrStandIn(network, "fra", ["fra-lb.example:9300"], password: Password);
        dub = new CcrStandIn(network, "dub", ["dub-lb.example:9300"], password: Password);
        fra.CreateIndex("products-2026");
    }

    public void Dispose()
    {
        fra.Dispose();
        dub.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> ApplyAsync(params string[] extra)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { ReplicationCommand.Create(stdout, stderr) };
        var args = new[]
        {
            "replication", "apply",
            "--leader-url", fra.Url.ToString(), "--leader-alias", "fra", "--leader-proxy", "fra-lb.example:9300", "--leader-server-name", "shop-fra",
            "--follower-url", dub.Url.ToString(), "--follower-alias", "dub", "--follower-proxy", "dub-lb.example:9300", "--follower-server-name", "shop-dub",
            "--pattern", "products-*", "--ready-timeout", "5",
        }.Concat(extra).ToArray();
        var environment = new Dictionary<string, string>
        {
            ["ES_LEADER_USER"] = "elastic", ["ES_LEADER_PASSWORD"] = Password,
            ["ES_FOLLOWER_USER"] = "elastic", ["ES_FOLLOWER_PASSWORD"] = Password,
        };
        var exit = await ReplicationCommand.ExecuteAsync(root.Parse(args), k => environment.GetValueOrDefault(k), stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Apply_FreshPair_FollowsTheExistingIndexAndAutoFollowsNewOnes()
    {
        var (exit, output, errors) = await ApplyAsync();

        Assert.True(exit == 0, output + errors);
        Assert.Contains(dub.Followers, f => f.Index == "products-2026" && f.Remote == "fra");
        Assert.Contains("es-dr-fra", dub.PatternNames);
        Assert.DoesNotContain(Password, output + errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_Twice_TheSecondRunOnlyReads()
    {
        await ApplyAsync();
        fra.ClearRequests();
        dub.ClearRequests();

        var (exit, output, _) = await ApplyAsync();

        Assert.Equal(0, exit);
        Assert.Contains("nothing to change", output, StringComparison.Ordinal);
        Assert.All(fra.Requests.Concat(dub.Requests), r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task DryRun_PrintsTheRequestsAndSendsNoWrite()
    {
        var (exit, output, _) = await ApplyAsync("--dry-run");

        Assert.Equal(0, exit);
        Assert.Contains("PUT", output, StringComparison.Ordinal);
        Assert.Contains("_ccr/auto_follow/es-dr-fra", output, StringComparison.Ordinal);
        Assert.All(fra.Requests.Concat(dub.Requests), r => Assert.Equal("GET", r.Method));
        Assert.Empty(dub.Followers);
    }

    [Fact]
    public async Task Apply_WithABadPattern_IsAUsageErrorThatSendsNothing()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { ReplicationCommand.Create(stdout, stderr) };
        var parse = root.Parse(["replication", "apply", "--leader-url", fra.Url.ToString(), "--leader-alias", "fra", "--leader-proxy", "x:9300",
            "--leader-server-name", "a", "--follower-url", dub.Url.ToString(), "--follower-alias", "dub", "--follower-proxy", "y:9300",
            "--follower-server-name", "b", "--pattern", "Bad Pattern"]);

        var exit = await ReplicationCommand.ExecuteAsync(parse, _ => null, stdout, stderr, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("indexPatterns: 'Bad Pattern'", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(fra.Requests);
    }

    [Theory]
    [InlineData("--leader-url", "notaurl")]
    [InlineData("--leader-url", "")]
    [InlineData("--follower-url", "http://[::1")]
    [InlineData("--follower-url", "ftp://b:9200")]
    [InlineData("--ready-timeout", "-5")]
    public async Task Apply_WithAValueItCannotUse_IsAUsageErrorNamingTheOption(string option, string value)
    {
        var options = new Dictionary<string, string>
        {
            ["--leader-url"] = fra.Url.ToString(), ["--leader-alias"] = "fra", ["--leader-proxy"] = "a.invalid:9300", ["--leader-server-name"] = "a",
            ["--follower-url"] = dub.Url.ToString(), ["--follower-alias"] = "dub", ["--follower-proxy"] = "b.invalid:9300", ["--follower-server-name"] = "b",
            ["--pattern"] = "products-*",
        };
        options[option] = value;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { ReplicationCommand.Create(stdout, stderr) };
        var parse = root.Parse([.. options.SelectMany(o => new[] { o.Key, o.Value }).Prepend("apply").Prepend("replication"), "--dry-run"]);

        var exit = await ReplicationCommand.ExecuteAsync(parse, _ => null, stdout, stderr, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout.ToString());
        Assert.StartsWith($"error: {option}: must be ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(fra.Requests.Concat(dub.Requests));
    }

    [Fact]
    public async Task Apply_HttpsWithoutTheStackCa_IsAUsageErrorAndSendsNothing()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { ReplicationCommand.Create(stdout, stderr) };
        var args = new[]
        {
            "replication", "apply",
            "--leader-url", "https://127.0.0.1:1/", "--leader-alias", "fra", "--leader-proxy", "fra-lb.example:9300", "--leader-server-name", "shop-fra",
            "--follower-url", dub.Url.ToString(), "--follower-alias", "dub", "--follower-proxy", "dub-lb.example:9300", "--follower-server-name", "shop-dub",
            "--pattern", "products-*",
        };

        var exit = await ReplicationCommand.ExecuteAsync(root.Parse(args), _ => null, stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("error: --leader-url is https but ES_CA_PEM is not set: the stack's CA is the only certificate trusted\n", stderr.ToString());
        Assert.Empty(dub.Requests);
    }
}
