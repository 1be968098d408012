using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Execute.Pulumi;

/// <summary>The one call allowed <c>--show-secrets</c>, against the stand-in <c>pulumi</c> (which masks secrets without it).</summary>
public sealed class CredentialsReadTests : IDisposable
{
    private const string Secret = "s3cret-Elastic-0f9a";
    private readonly PulumiStandIn pulumi = new();

    public void Dispose() => pulumi.Dispose();

    [Fact]
    public async Task ReadCredentials_UsesTheDedicatedShowSecretsCall_AndParsesEveryPart()
    {
        pulumi.SetSecretOutput("credentials", $$$"""{"regions":{"fra":{"elasticPassword":"{{{Secret}}}"}},"database":{"user":"dr","password":"db-pw-77"}}""");

        var credentials = await pulumi.Process().ReadCredentialsAsync("prod", CancellationToken.None);

        Assert.Equal(Secret, credentials.ElasticPassword("fra"));
        Assert.Null(credentials.ElasticPassword("dub"));
        Assert.Equal(("dr", "db-pw-77"), (credentials.DatabaseUser, credentials.DatabasePassword));
        Assert.DoesNotContain(Secret, credentials.ToString(), StringComparison.Ordinal);
        Assert.Equal(["stack", "output", "credentials", "--stack", "prod", "--json", "--show-secrets", "--non-interactive"], Assert.Single(pulumi.Calls));
    }

    [Fact]
    public async Task EveryOtherCommand_StillRefusesShowSecrets()
    {
        var command = new PulumiCommand(["stack", "output", "--stack", "prod", "--json", "--show-secrets"], "read", "read-only");

        await Assert.ThrowsAsync<ArgumentException>(() => pulumi.Process().RunAsync(command, CancellationToken.None));
        Assert.Empty(pulumi.Calls);
    }

    [Fact]
    public async Task ReadCredentials_Failure_ReportsStderrNeverStdout()
    {
        pulumi.SetSecretOutput("credentials", "{\"regions\":{\"fra\":{\"elasticPassword\":\"" + Secret + "\"}}}");
        pulumi.FailWith("error: no stack named 'prod' found\n");

        var e = await Assert.ThrowsAsync<StackNotFoundException>(() => pulumi.Process().ReadCredentialsAsync("prod", CancellationToken.None));

        Assert.Contains("show-secrets", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json {")]
    [InlineData("""{"regions":{"fra":{"elasticPassword":42}}}""")]
    [InlineData("""{"database":{"user":"dr"}}""")]
    public void Parse_MalformedCredentials_SaysWhatIsWrongWithoutQuotingTheText(string json)
    {
        var e = Assert.Throws<FormatException>(() => StackCredentials.Parse(json));

        Assert.DoesNotContain(json, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("42", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_OverridesWhatPulumiGave()
    {
        var fromPulumi = StackCredentials.Parse($$$"""{"regions":{"fra":{"elasticPassword":"{{{Secret}}}"}},"database":{"user":"dr","password":"a"}}""");
        var env = new Dictionary<string, string> { ["ESDR_ELASTIC_PASSWORD_FRA"] = "from-env", ["ESDR_MYSQL_PASSWORD"] = "b" };

        var merged = fromPulumi.WithEnvironment(["fra"], n => env.GetValueOrDefault(n));

        Assert.Equal("from-env", merged.ElasticPassword("fra"));
        Assert.Equal(("dr", "b"), (merged.DatabaseUser, merged.DatabasePassword));
        Assert.False(StackCredentials.EnvironmentCovers(["fra"], needsDatabase: true, n => env.GetValueOrDefault(n)));
        Assert.True(StackCredentials.EnvironmentCovers(["fra"], needsDatabase: false, n => env.GetValueOrDefault(n)));
    }
}
