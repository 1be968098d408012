using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Schemas;

/// <summary>Pulumi refuses a program whose resources and variables depend on each other in a circle.</summary>
public class DependencyGraphTests
{
    [Fact]
    public void FindCycle_ThroughAVariableAndDependsOn_NamesEveryStep()
    {
        const string program = """
            resources:
              a:
                type: x:y:Z
                properties:
                  host: ${b-address}
              b:
                type: x:y:Z
                options:
                  dependsOn:
                    - ${a}
            variables:
              b-address: ${b.ip}
            """;

        var cycle = DependencyGraph.FromProgram(program).FindCycle();

        Assert.Equal(["a", "b-address", "b", "a"], cycle);
    }

    [Fact]
    public void FindCycle_ChainWithConfigAndEscapedText_IsNone()
    {
        const string program = """
            config:
              token: { type: string, secret: true }
            resources:
              a:
                type: x:y:Z
                properties:
                  note: "$${b} is literal text"
                  token: ${token}
              b:
                type: x:y:Z
                properties:
                  after: ${a.id}
            """;

        Assert.Null(DependencyGraph.FromProgram(program).FindCycle());
    }

    [Theory]
    [MemberData(nameof(Compilation.ExampleStacksTests.Stacks), MemberType = typeof(Compilation.ExampleStacksTests))]
    public void EveryExampleStack_IsAcyclic(string file)
    {
        var yaml = Compile(file).Yaml;

        var graph = DependencyGraph.FromProgram(yaml);

        Assert.Null(graph.FindCycle());
        Assert.NotEmpty(graph.Edges);
    }

    /// <summary>
    /// Why Linode database hosts take their firewall through a FirewallDevice: with the firewall on the instance
    /// (<c>firewallId</c>), the primary waits for its firewall, which names the replica's address, whose instance
    /// names the primary's address in its user-data.
    /// </summary>
    [Fact]
    public void LinodeDatabaseHost_WithItsFirewallAttachedAtCreation_WouldBeACycle()
    {
        var (_, program, _) = StackCompiler.Default().Compile(Parse("Pulumi.prod.yaml"));
        program.Resource("fra-db").Properties.Add("firewallId", Ref.To("fra-db-fw", "id"));

        var cycle = DependencyGraph.FromProgram(ProgramYamlWriter.Write(program)).FindCycle();

        Assert.NotNull(cycle);
        Assert.Contains("fra-db", cycle);
        Assert.Contains("dub-db", cycle);
    }

    private static StackConfig Parse(string file)
    {
        var stack = Repository.Load(file);
        return StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config.ToDictionary(k => k.Key, k => k.Value), stack.SecretKeys);
    }

    private static StackCompilation Compile(string file) => StackCompilation.Compile(Parse(file));
}
