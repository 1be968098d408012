using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// <c>elasticsearch.version</c> admits exact 9.x releases only: es-dr-recovery speaks to every cluster through
/// the 9.x .NET client, which 8.x clusters answer with 400.
/// </summary>
public class ElasticsearchVersionRuleTests
{
    private const string Key = "es-dr:elasticsearch.version";

    private static List<string> Refusals(string version) =>
        Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(TestConfig.TwoRegions().With("elasticsearch", "version", version)))
            .Errors.Where(e => e.Path == Key).Select(e => e.ToString()).ToList();

    [Theory]
    [InlineData("9.0.0")]
    [InlineData("9.2.3")]
    [InlineData("9.5.7")]
    [InlineData("9.10.12")]
    public void Exact9xRelease_IsAdmitted(string version)
    {
        var config = TestConfig.Parse(TestConfig.TwoRegions().With("elasticsearch", "version", version));

        Assert.Equal(version, config.Elasticsearch.Version);
    }

    [Theory]
    [InlineData("8.17.4", 8)]
    [InlineData("8.19.5", 8)]
    [InlineData("7.17.29", 7)]
    public void OlderMajor_IsRefusedBecauseThe9xClientCannotSpeakToIt(string version, int major)
    {
        var error = Assert.Single(Refusals(version));

        Assert.Equal(
            $"{Key}: must be an exact Elasticsearch 9.x version such as 9.5.7, got '{version}': "
            + $"es-dr-recovery speaks to the cluster through the 9.x .NET client, which {major}.x clusters refuse",
            error);
    }

    [Fact]
    public void NewerMajor_IsRefusedBecauseThe9xClientIsNotMadeForIt()
    {
        var error = Assert.Single(Refusals("10.0.0"));

        Assert.Equal(
            $"{Key}: must be an exact Elasticsearch 9.x version such as 9.5.7, got '10.0.0': "
            + "es-dr-recovery speaks to the cluster through the 9.x .NET client, which is not made for 10.x clusters",
            error);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("9.5")]
    [InlineData("9.5.x")]
    [InlineData("v9.5.7")]
    [InlineData("9.5.7-SNAPSHOT")]
    [InlineData("09.5.7")]
    [InlineData("9.05.7")]
    [InlineData("latest")]
    [InlineData("")]
    [InlineData("٩.٥.٧")] // Arabic-Indic digits: \d would match them, the package repository would not
    [InlineData("99999999999.0.0")]
    public void NotAnExactRelease_IsRefusedWithoutCrashing(string version)
    {
        var error = Assert.Single(Refusals(version));

        Assert.Equal($"{Key}: must be an exact Elasticsearch 9.x version such as 9.5.7, got '{version}'", error);
    }

    [Fact]
    public void TheSupportedLine_IsNamedOnce()
    {
        Assert.Equal(9, ElasticsearchVersion.SupportedMajor);
        Assert.Equal("9.x", ElasticsearchVersion.Line);
        Assert.Equal(ElasticsearchVersion.SupportedMajor, ElasticsearchVersion.Major(ElasticsearchVersion.Example));
    }
}
