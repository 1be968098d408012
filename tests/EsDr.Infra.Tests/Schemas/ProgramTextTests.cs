using EsDr.Infra.Schemas;

namespace EsDr.Infra.Tests.Schemas;

public class ProgramTextTests
{
    [Theory]
    [InlineData("3", "Integer")]
    [InlineData("-3", "Integer")]
    [InlineData("0x1F", "Integer")]
    [InlineData("3.5", "Float")]
    [InlineData("1e3", "Float")]
    [InlineData(".inf", "Float")]
    [InlineData("true", "Boolean")]
    [InlineData("False", "Boolean")]
    [InlineData("null", "Null")]
    [InlineData("~", "Null")]
    [InlineData("yes", "String")]
    [InlineData("off", "String")]
    [InlineData("6.0.0", "String")]
    [InlineData("0755x", "String")]
    [InlineData("\"3\"", "String")]
    [InlineData("'true'", "String")]
    [InlineData("!!str 3", "String")]
    [InlineData("!!int \"3\"", "Integer")]
    public void Parse_Scalar_ResolvesLikeTheYaml12CoreSchema(string yaml, string kind)
    {
        var value = Assert.IsType<MapValue>(ProgramText.Parse($"v: {yaml}"));

        Assert.Equal(kind, Assert.IsType<ScalarValue>(value["v"]).Kind.ToString());
    }

    [Theory]
    [InlineData("{\"v\": 3}", "Integer")]
    [InlineData("{\"v\": \"3\"}", "String")]
    [InlineData("{\"v\": true}", "Boolean")]
    [InlineData("{\"v\": null}", "Null")]
    public void Parse_Json_KeepsJsonTypes(string json, string kind)
    {
        var value = Assert.IsType<MapValue>(ProgramText.Parse(json));

        Assert.Equal(kind, Assert.IsType<ScalarValue>(value["v"]).Kind.ToString());
    }

    [Fact]
    public void Parse_BlockScalar_IsAString()
    {
        var value = Assert.IsType<MapValue>(ProgramText.Parse("v: |\n  42\n"));

        var scalar = Assert.IsType<ScalarValue>(value["v"]);
        Assert.Equal(ScalarKind.String, scalar.Kind);
        Assert.Equal("42\n", scalar.Text);
    }

    [Fact]
    public void Parse_Mapping_KeepsDocumentOrder()
    {
        var value = Assert.IsType<MapValue>(ProgramText.Parse("b: 1\na: 2\nc: 3"));

        Assert.Equal(["b", "a", "c"], value.Entries.Select(e => e.Key));
    }
}
