using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// pulumi-yaml's <c>GetReferencedPackages</c> (pkg/pulumiyaml/packages.go) learns a package's plugin source
/// from the first of its resources it meets, so a fresh machine can install a plugin Pulumi does not host
/// (OVH's) only when every resource of that package names its <c>pluginDownloadURL</c>.
/// </summary>
public class PluginSourcePolicyTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryResourceOfAPackageNotHostedByPulumi_NamesItsPluginSource_AndNoOtherDoes(string file)
    {
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config)).Program;

        Assert.All(program.Resources, r => Assert.Equal(ProviderPackages.DownloadUrlOf(r.Package), r.Options.PluginDownloadUrl));
    }

    [Fact]
    public void TheOvhStack_NamesOvhsPluginSourceOnEveryOvhResource()
    {
        var stack = Repository.Load("stacks/Pulumi.ovh-haproxy.yaml");
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config)).Program;

        var ovh = program.Resources.Where(r => r.Package == ProviderPackages.Ovh).ToList();

        Assert.NotEmpty(ovh);
        Assert.All(ovh, r => Assert.Equal("github://api.github.com/ovh/pulumi-ovh", r.Options.PluginDownloadUrl));
    }
}
