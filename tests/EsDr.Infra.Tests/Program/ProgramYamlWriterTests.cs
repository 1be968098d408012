using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Program;

public class ProgramYamlWriterTests
{
    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Fact]
    public void Write_StringsThatLookLikeOtherTypes_AreQuoted()
    {
        var program = new PulumiProgram("p");
        program.Add("r", "random:index/randomPassword:RandomPassword", new PMap
        {
            { "a", "8.17" }, { "b", "true" }, { "c", "3" }, { "d", "" }, { "e", "yes" }, { "f", 3 }, { "g", true },
        });

        var props = (YamlMappingNode)((YamlMappingNode)Parse(ProgramYamlWriter.Write(program))["resources"]["r"])["properties"];

        foreach (var key in new[] { "a", "b", "c", "d", "e" })
            Assert.NotEqual(YamlDotNet.Core.ScalarStyle.Plain, ((YamlScalarNode)props[key]).Style);
        Assert.Equal(YamlDotNet.Core.ScalarStyle.Plain, ((YamlScalarNode)props["f"]).Style);
        Assert.Equal("true", ((YamlScalarNode)props["g"]).Value);
    }

    [Fact]
    public void Write_SecretConfig_IsDeclaredAsASecretStringAndReadOnlyThroughFnSecret()
    {
        var program = new PulumiProgram("es-dr");
        var reference = program.SecretConfig("alertWebhookToken");
        program.Variable("header", $"Bearer {reference}");

        var root = Parse(ProgramYamlWriter.Write(program));

        var declaration = (YamlMappingNode)root["config"]["alertWebhookToken"];
        Assert.Equal("string", ((YamlScalarNode)declaration["type"]).Value);
        Assert.Equal("true", ((YamlScalarNode)declaration["secret"]).Value);
        Assert.Equal("${alertWebhookToken}", ((YamlScalarNode)root["variables"]["alertWebhookToken-secret"]["fn::secret"]).Value);
        Assert.Equal("Bearer ${alertWebhookToken-secret}", ((YamlScalarNode)root["variables"]["header"]).Value);
    }

    [Fact]
    public void SecretConfig_ReadTwice_IsDeclaredAndWrappedOnce()
    {
        var program = new PulumiProgram("es-dr");

        var first = program.SecretConfig("deployKey");
        var second = program.SecretConfig("deployKey");

        Assert.Equal(first, second);
        Assert.Single(program.Config);
        Assert.Single(program.Variables);
    }

    [Fact]
    public void Write_MultiLineText_IsALiteralBlockThatRoundTrips()
    {
        var text = "#cloud-config\npackages:\n  - haproxy\n";
        var program = new PulumiProgram("p");
        program.Variable("userData", text);

        var yaml = ProgramYamlWriter.Write(program);

        Assert.Contains("userData: |", yaml, StringComparison.Ordinal);
        Assert.Equal(text, ((YamlScalarNode)Parse(yaml)["variables"]["userData"]).Value);
    }

    [Fact]
    public void Write_KeepsSectionAndInsertionOrder()
    {
        var program = new PulumiProgram("p");
        program.Outputs.Add("z", "1");
        program.Add("b-second", "tls:index/privateKey:PrivateKey", new PMap { { "algorithm", "RSA" } });
        program.Add("a-third", "tls:index/privateKey:PrivateKey", new PMap { { "algorithm", "RSA" } });
        program.Variable("v", "x");

        var root = Parse(ProgramYamlWriter.Write(program));

        Assert.Equal(["name", "runtime", "variables", "resources", "outputs"], root.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal(["b-second", "a-third"], ((YamlMappingNode)root["resources"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    [Fact]
    public void Write_ResourceOptions_AreWrittenOnlyWhenSet()
    {
        var program = new PulumiProgram("p");
        program.Add("k", "tls:index/privateKey:PrivateKey", new PMap(), new ResourceOptions { Version = "5.5.1", IgnoreChanges = ["userData"] });
        program.Add("plain", "tls:index/privateKey:PrivateKey", new PMap());

        var resources = (YamlMappingNode)Parse(ProgramYamlWriter.Write(program))["resources"];

        var options = (YamlMappingNode)resources["k"]["options"];
        Assert.Equal(["ignoreChanges", "version"], options.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.False(((YamlMappingNode)resources["plain"]).Children.ContainsKey(new YamlScalarNode("options")));
    }

    [Fact]
    public void Write_DependsOn_IsWrittenAsResourceReferences()
    {
        var program = new PulumiProgram("p");
        program.Add("a", "tls:index/privateKey:PrivateKey", new PMap());
        program.Add("b", "tls:index/privateKey:PrivateKey", new PMap(), new ResourceOptions { DependsOn = ["a"] });

        var dependsOn = (YamlSequenceNode)Parse(ProgramYamlWriter.Write(program))["resources"]["b"]["options"]["dependsOn"];

        Assert.Equal("${a}", ((YamlScalarNode)dependsOn[0]).Value);
    }

    [Fact]
    public void Add_SameLogicalNameTwice_Throws()
    {
        var program = new PulumiProgram("p");
        program.Add("x", "tls:index/privateKey:PrivateKey", new PMap());

        Assert.Throws<InvalidOperationException>(() => program.Add("x", "tls:index/privateKey:PrivateKey", new PMap()));
    }

    [Fact]
    public void Literal_EscapesInterpolationMarkers() =>
        Assert.Equal("echo $${HOME}", Ref.Literal("echo ${HOME}"));

    [Theory]
    [InlineData("echo ${HOME}")]
    [InlineData("$${alertWebhookToken}")] // escaping only "${" would make this "$$${…}": a '$', then a reference
    [InlineData("x $$${es-ca-key.privateKeyPem} y")]
    [InlineData("costs 5$")]
    [InlineData("$")]
    [InlineData("${unterminated")]
    public void Literal_AnyText_IsReadByPulumiAsExactlyThatText(string text)
    {
        var read = InterpolatedString.Parse(Ref.Literal(text));

        Assert.Null(read.SyntaxError);
        Assert.Empty(read.Interpolations);
        Assert.Equal(text, read.LiteralText);
    }

    [Theory]
    [InlineData("echo ${HOME}")]
    [InlineData("$${alertWebhookToken}")]
    [InlineData("costs 5$")]
    [InlineData("$")]
    public void AsLiteral_UndoesLiteral(string text) =>
        Assert.Equal(text, Ref.AsLiteral(Ref.Literal(text)));

    [Theory]
    [InlineData("echo $${HOME}")]
    [InlineData("a $x and $$y")]
    [InlineData("costs 5$")]
    public void AsLiteral_OfProgramTextWithoutAReference_IsWhatPulumiReads(string programText)
    {
        var read = InterpolatedString.Parse(programText);

        Assert.Empty(read.Interpolations);
        Assert.Equal(read.LiteralText, Ref.AsLiteral(programText));
    }

    [Theory]
    [InlineData("${es-ca-cert.certPem}")]
    [InlineData("host $${x} ${vm.ipAddress}")]
    [InlineData("$$${x}")]
    public void AsLiteral_OfTextWithAReference_IsNull(string programText) =>
        Assert.Null(Ref.AsLiteral(programText));
}
