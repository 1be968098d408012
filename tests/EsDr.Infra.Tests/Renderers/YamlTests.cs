using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Renderers;

/// <summary>
/// The renderers' YAML (user-data, elasticsearch.yml, roles, Prometheus and Alertmanager configs) is written straight
/// to text; every YAML document every example stack renders, read back into nodes, is taken by the direct writer and
/// written byte for byte as YamlDotNet's emitter writes the same nodes.
/// </summary>
public class YamlTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Serialize_EveryRenderedYamlDocument_IsWhatTheEmitterWrites(string file)
    {
        var stack = Repository.Load(file);
        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, Repository.WithSecretSentinels(stack), stack.SecretKeys));
        var documents = compiled.Files.Where(IsYaml).SelectMany(f => Documents(f.Text).Select(root => (f.Path, root))).ToList();

        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            var direct = Yaml.SerializeDirect(d.root);
            Assert.True(direct is not null, $"{d.Path}: the direct writer declined it");
            Assert.Equal(Yaml.SerializeThroughEmitter(d.root), direct);
        });
    }

    [Fact]
    public void Serialize_RendererNodes_IsWhatTheEmitterWrites()
    {
        var root = Yaml.Map([
            Yaml.Entry("write_files", Yaml.List([Yaml.Map([Yaml.Entry("path", Yaml.Str("/etc/x")), Yaml.Entry("content", Yaml.Block("a: b\n\n- c\n"))])])),
            Yaml.Entry("runcmd", Yaml.List(["systemctl enable x", "echo \"q\" 'p' \\ \t"])),
            Yaml.Entry("empty", Yaml.List(Array.Empty<string>())),
            Yaml.Entry("port", Yaml.Int(9200)),
            Yaml.Entry("on", Yaml.Bool(true)),
            Yaml.Entry("*star", Yaml.Block("no break at the end")),
        ]);

        Assert.Equal(Yaml.SerializeThroughEmitter(root), Yaml.SerializeDirect(root));
    }

    private static bool IsYaml(RenderedFile f) =>
        f.Path.EndsWith(".yml", StringComparison.Ordinal) || f.Path.EndsWith(".yaml", StringComparison.Ordinal) || f.Text.StartsWith("#cloud-config", StringComparison.Ordinal);

    private static IEnumerable<YamlNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode);
    }
}
