using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Plan;

/// <summary>
/// A failover's <c>pulumi up</c> runs on everything but the lost region: its <c>--exclude</c> globs, expanded as
/// pulumi expands them over every URN of the program before and after the failover's config changes, select exactly
/// the lost region's resources (as the stack outputs list them) and the monitoring site's — on every example stack,
/// and on region names made to trip a prefix match.
/// </summary>
public class FailoverExclusionTests
{
    public static TheoryData<string> MultiRegionExampleStacks() =>
        [.. ExampleStacks.Files.Where(f => ExampleStacks.Load(f).Regions.Any(r => r.State == RegionState.Standby))];

    [Theory]
    [MemberData(nameof(MultiRegionExampleStacks))]
    public void Failover_excludes_exactly_the_lost_region_and_the_monitoring_site_on_every_example_stack(string file) =>
        AssertFailoverExcludesExactlyTheLostRegion(ExampleStacks.Load(file));

    /// <summary>The prod stack (fra on Linode, dub on AWS, monitoring) with its regions renamed, or fra a generation on.</summary>
    public static TheoryData<string, string, int> TrickyRegions() => new()
    {
        { "eu", "eu-west", 1 },     // the lost region's name starts the survivor's
        { "eu-west", "eu", 1 },     // the survivor's name starts the lost region's
        { "es", "ccr", 1 },         // cross-region es-ca-* and the ccr-* command start with the region names
        { "dns", "es", 1 },         // cross-region dns-* records (dns-aws, dns-dns-search) start with the lost one's
        { "fra", "fra-gen", 2 },    // fra at generation 2 is fra-gen2-…, beside a region named fra-gen
    };

    [Theory]
    [MemberData(nameof(TrickyRegions))]
    public void Failover_excludes_exactly_the_lost_region_whatever_the_region_names(string lost, string survivor, int lostGeneration)
    {
        var prod = ExampleStacks.Load("Pulumi.prod.yaml");
        var config = prod with
        {
            ActiveRegion = lost,
            Regions =
            [
                prod.Regions[0] with
                {
                    Name = lost, Generation = lostGeneration,
                    Elasticsearch = prod.Regions[0].Elasticsearch with { NodeGenerations = new Dictionary<int, int> { [2] = 3 } },
                },
                prod.Regions[1] with { Name = survivor },
            ],
        };

        AssertFailoverExcludesExactlyTheLostRegion(config);
    }

    [Fact]
    public void Failover_up_on_the_prod_stack_names_a_dozen_globs_instead_of_every_other_resource()
    {
        var up = FailoverUp(ExampleStacks.Load("Pulumi.prod.yaml"));

        Assert.DoesNotContain("--target", up.Args);
        Assert.DoesNotContain("--exclude-dependents", up.Args);
        var excludes = PulumiArgs.Values(up.Args, "--exclude");
        Assert.InRange(excludes.Count, 1, 15);
        Assert.Contains("urn:pulumi:prod::es-dr::**::fra-es-*", excludes);
        Assert.Contains("urn:pulumi:prod::es-dr::**::monitoring-*", excludes);
    }

    [Theory]
    [InlineData("stacks/Pulumi.linode-python-app.yaml")]
    [InlineData("stacks/Pulumi.ovh-haproxy.yaml")]
    public void Failover_leaves_the_lost_regions_haproxy_config_push_alone(string file)
    {
        // The push connects to the lost region's HAProxy VM over SSH: running it would fail the failover's up.
        var config = ExampleStacks.Load(file);
        var push = $"urn:pulumi:{config.Stack}::{config.Project}::command:remote:Command::{config.ActiveRegion}-lb-config-push";

        var excludes = PulumiArgs.Values(FailoverUp(config).Args, "--exclude");

        Assert.Contains(excludes, e => PulumiUrnGlob.Matches(e, push));
    }

    private static void AssertFailoverExcludesExactlyTheLostRegion(StackConfig config)
    {
        var (view, _) = StackView.Offline(config);
        var from = config.ActiveRegion;
        var intended = view.Region(from).AllResources.Concat(view.MonitoringResources).ToHashSet(StringComparer.Ordinal);

        var excludes = PulumiArgs.Values(FailoverUp(config).Args, "--exclude");

        foreach (var program in new[] { config, AfterFailover(config) })
        {
            var selected = Urns(program).Where(u => excludes.Any(e => PulumiUrnGlob.Matches(e, u.Urn))).Select(u => u.Name);
            var present = Urns(program).Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(intended.Where(present.Contains).Order(StringComparer.Ordinal), selected.Order(StringComparer.Ordinal));
        }
    }

    private static PulumiCommand FailoverUp(StackConfig config)
    {
        var (view, types) = StackView.Offline(config);
        var to = config.Regions.First(r => r.State == RegionState.Standby).Name;
        var plan = Planner.RegionFailover(new PlanContext(config, view, types), config.ActiveRegion, to, new Reachability(false, false), []);
        return Assert.Single(plan.Steps.OfType<PulumiCommand>(), c => c.Args[0] == "up");
    }

    /// <summary>The config as the failover's <c>config set</c> steps leave it: the standby active, the lost region lost.</summary>
    private static StackConfig AfterFailover(StackConfig config)
    {
        var to = config.Regions.First(r => r.State == RegionState.Standby).Name;
        return config with
        {
            ActiveRegion = to,
            Regions = [.. config.Regions.Select(r => r.Name == config.ActiveRegion ? r with { State = RegionState.Lost }
                : r.Name == to ? r with { State = RegionState.Active } : r)],
        };
    }

    private static IEnumerable<(string Name, string Urn)> Urns(StackConfig config) =>
        StackCompiler.Default().Compile(config).Program.Resources
            .Select(r => (r.Name, $"urn:pulumi:{config.Stack}::{config.Project}::{r.Type}::{r.Name}"));
}
