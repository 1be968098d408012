using System.Text.Json.Nodes;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.Recovery.Tests.Observe.Elasticsearch;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// <c>status</c> against the Elasticsearch stand-ins and a real MariaDB primary (fra) and replica (dub), with the
/// credentials read through the stand-in <c>pulumi</c>'s <c>--show-secrets</c> output or from the environment.
/// </summary>
[Collection("live processes")]
public sealed class StatusCommandTests : IClassFixture<MariaDbFixture>, IDisposable
{
    private readonly OperatorTestbed bed;

    public StatusCommandTests(MariaDbFixture db)
    {
        var pair = db.Pair;
        bed = new OperatorTestbed(
            new Dictionary<string, TestDatabase> { ["fra"] = new("primary", pair.Primary.Port), ["dub"] = new("replica", pair.Replica.Port) },
            "dr", MariaDbPair.AdminPassword)
        { MySqlCaFile = pair.Primary.Admin.CaPath };
    }

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Status_AllHealthy_ExitsZeroAndShowsEveryRegionClusterFollowerAndDatabase()
    {
        var exit = await bed.RunAsync("status", "--json");

        Assert.True(exit == 0, bed.Out.ToString() + bed.Error);
        var status = JsonNode.Parse(bed.Out.ToString())!;
        Assert.True((bool)status["healthy"]!);
        Assert.Equal("fra", (string?)status["activeRegion"]);
        var (fra, dub) = (status["regions"]![0]!, status["regions"]![1]!);
        Assert.Equal("active", (string?)fra["state"]);
        Assert.True((bool)fra["endpoint"]!["healthy"]!);
        Assert.Equal("green", (string?)fra["cluster"]!["status"]);
        Assert.Equal(3, fra["cluster"]!["nodesPresent"]!.AsArray().Count);
        Assert.Equal("primary", (string?)fra["database"]!["role"]);
        Assert.False((bool)fra["database"]!["readOnly"]!);
        Assert.Equal("standby", (string?)dub["state"]);
        Assert.Equal(["orders-1", "products-1"], dub["cluster"]!["followers"]!.AsArray().Select(f => (string)f!["index"]!));
        Assert.True((bool)dub["database"]!["readOnly"]!);
        Assert.True((bool)dub["database"]!["ioThreadRunning"]!);
        Assert.Equal(0, (int?)dub["database"]!["secondsBehind"]);
        // Credentials came from the one dedicated call.
        Assert.Contains(bed.Pulumi.Calls, c => string.Join(' ', c) == "stack output credentials --stack prod --json --show-secrets --non-interactive");
    }

    [Fact]
    public async Task Status_NodeMissingAndFollowerFailing_ExitsDegradedAndNamesEachProblem()
    {
        bed.Dub.NodeNames = bed.Dub.NodeNames.Take(2).ToList();
        bed.Dub.HealthStatus = "yellow";
        bed.Dub.Indices["orders-1"].FatalError = "leader index [orders-1] was deleted";
        var missing = bed.Nodes("dub")[2];

        var exit = await bed.RunAsync("status");

        Assert.Equal(ExitCodes.Degraded, exit);
        var output = bed.Out.ToString();
        Assert.Contains("DEGRADED", output, StringComparison.Ordinal);
        Assert.Contains("nodes 2/3", output, StringComparison.Ordinal);
        Assert.Contains($"! missing node(s): {missing}", output, StringComparison.Ordinal);
        Assert.Contains("! cluster is yellow", output, StringComparison.Ordinal);
        Assert.Contains("! follower orders-1 failed: leader index [orders-1] was deleted", output, StringComparison.Ordinal);
        Assert.Contains("database   replica  read_only ON  IO running  SQL running  behind 0 s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_RegionUnreachable_ExitsDegraded()
    {
        bed.Fra.Dispose(); // fra's endpoint stops answering

        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status"));
        Assert.Contains("! cluster unreachable", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("! endpoint unhealthy", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_CredentialsFromTheEnvironment_NeverAsksPulumiForSecrets()
    {
        bed.Environment[StackCredentials.ElasticVariable("fra")] = "env-fra-pw";
        bed.Environment[StackCredentials.ElasticVariable("dub")] = "env-dub-pw";
        bed.Environment[StackCredentials.DatabaseUserVariable] = "dr";
        bed.Environment[StackCredentials.DatabasePasswordVariable] = MariaDbPair.AdminPassword;

        Assert.Equal(0, await bed.RunAsync("status"));
        Assert.DoesNotContain(bed.Pulumi.Calls, c => c.Contains("--show-secrets"));
        Assert.Equal("ESDR_ELASTIC_PASSWORD_FRA", StackCredentials.ElasticVariable("fra"));
    }

    [Fact]
    public async Task Status_WrongDatabasePassword_ShowsTheServersRefusal_NotUnreachable_WithoutThePassword()
    {
        bed.Environment[StackCredentials.DatabaseUserVariable] = "dr";
        bed.Environment[StackCredentials.DatabasePasswordVariable] = "Wrong-Pw-4471";

        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status"));
        var output = bed.Out.ToString();
        Assert.Contains("! database answered with an error: MySQL at dr@127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("answered with error 1045", output, StringComparison.Ordinal);
        Assert.DoesNotContain("database unreachable", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Pw-4471", output + bed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OfAMySql84Stack_SpeaksMySql84ToTheServers()
    {
        // The stack says MySQL 8.4 while these servers are MariaDB: MariaDB refusing 8.4's gtid_executed shows that
        // the engine in the stack's config reached the observer, and that a refusal is reported as one.
        var stack = File.ReadAllText(bed.StackFile.FullName);
        Assert.Contains("engine: mariadb", stack, StringComparison.Ordinal);
        File.WriteAllText(bed.StackFile.FullName, stack.Replace("engine: mariadb", "engine: mysql", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status", "--json"));

        foreach (var region in JsonNode.Parse(bed.Out.ToString())!["regions"]!.AsArray())
        {
            var database = region!["database"]!;
            Assert.True((bool)database["reachable"]!);
            Assert.Contains("Unknown system variable 'gtid_executed'", (string?)database["sqlError"], StringComparison.Ordinal);
            Assert.Contains(region["problems"]!.AsArray(), p => ((string)p!).StartsWith("database answered with an error: ", StringComparison.Ordinal));
        }
    }
}
