using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>Every stack in the repository compiles, validates against the provider schemas, leaks no secret, and matches its snapshot.</summary>
public class ExampleStacksTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    private static StackCompilation Compile(string file, Dictionary<string, string>? config = null)
    {
        var stack = Repository.Load(file);
        var parsed = StackConfigParser.Parse(TestConfig.Project, stack.Stack, config ?? stack.Config.ToDictionary(k => k.Key, k => k.Value), stack.SecretKeys);
        return StackCompilation.Compile(parsed);
    }

    [Fact]
    public void Repository_HasTheStacksItWasDesignedFrom()
    {
        var files = Repository.StackFiles();

        Assert.Contains("Pulumi.dev.yaml", files);
        Assert.Contains("Pulumi.prod.yaml", files);
        Assert.True(files.Count(f => f.StartsWith("stacks", StringComparison.Ordinal)) >= 5, string.Join(", ", files));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryStackFile_CarriesNoSecureValue_SoItCanBeUsedAsItIs(string file)
    {
        // A secure: value decrypts only with the encryptionsalt (or secrets provider) of whoever set it; the
        // user sets each secret into the file with `pulumi config set --secret`, which adds its own salt.
        var stack = Repository.Load(file);

        Assert.Empty(stack.SecretKeys);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryStack_PinsTheExample9xRelease(string file)
    {
        var stack = Repository.Load(file);
        var config = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config.ToDictionary(k => k.Key, k => k.Value), stack.SecretKeys);

        Assert.Equal(ElasticsearchVersion.Example, config.Elasticsearch.Version);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryStack_ValidatesAgainstTheProviderSchemas(string file)
    {
        var compiled = Compile(file);

        Assert.True(compiled.Problems.Count == 0, string.Join("\n", compiled.Problems.Select(p => $"{p.Where}: {p.Message}")));
        Assert.NotEmpty(compiled.Program.Resources);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryStack_CarriesNoSecretValueInItsText(string file)
    {
        var stack = Repository.Load(file);
        var config = Repository.WithSecretSentinels(stack);

        var compiled = Compile(file, config);

        foreach (var sentinel in config.Values.Where(v => v.StartsWith("SENTINEL-SECRET-", StringComparison.Ordinal)))
            Assert.DoesNotContain(sentinel, compiled.Yaml, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryStack_MatchesItsReviewedSnapshot(string file)
    {
        var compiled = Compile(file);

        Snapshot.Match(Path.GetFileNameWithoutExtension(file) + ".yaml", compiled.Yaml);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryStack_IsDeterministic(string file) =>
        Assert.Equal(Compile(file).Yaml, Compile(file).Yaml);
}
