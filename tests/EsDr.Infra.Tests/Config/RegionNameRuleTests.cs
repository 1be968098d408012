using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// A region's resources are named <c>&lt;region&gt;-…</c>; the stack-wide ones (CA, database passwords, DNS, CCR,
/// monitoring) by their own first word. A region named like one of those words would declare a resource twice.
/// </summary>
public class RegionNameRuleTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [InlineData("db")]
    [InlineData("dns")]
    [InlineData("es")]
    [InlineData("ccr")]
    [InlineData("monitoring")]
    [InlineData("digitalocean")]
    public void Region_NamedLikeTheStackWideResources_IsRefusedAtItsName(string name)
    {
        var config = TestConfig.TwoRegions().With("regions", "[1].name", name);

        var errors = Assert.Throws<InvalidConfigException>(() => StackCompilation.Compile(TestConfig.Parse(config))).Errors;

        var error = Assert.Single(errors, e => e.Path == "es-dr:regions[1].name");
        Assert.Contains($"'{name}' names the stack-wide resources", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryResourceOfNoRegion_StartsWithAWordNoRegionMayTake(string file)
    {
        var stack = Repository.Load(file);
        var config = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config.ToDictionary(k => k.Key, k => k.Value), stack.SecretKeys);
        var program = StackCompilation.Compile(config).Program;

        var stackWide = program.Resources.Select(r => r.Name)
            .Where(n => !config.Regions.Any(r => n.StartsWith(r.Name + "-", StringComparison.Ordinal)));

        Assert.All(stackWide, n => Assert.Contains(n.Split('-')[0], ConfigRules.StackWideNamePrefixes));
    }
}
