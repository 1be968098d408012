using EsDr.Infra.Schemas;

namespace EsDr.Infra.Tests.Schemas;

public class InterpolatedStringTests
{
    [Theory]
    [InlineData("plain text", 0, false)]
    [InlineData("${a}", 1, true)]
    [InlineData("${a.b[0].c}", 1, true)]
    [InlineData(" ${a}", 1, false)]
    [InlineData("${a}${b}", 2, false)]
    [InlineData("http://${a.ip}:9200", 1, false)]
    [InlineData("$${a}", 0, false)]
    [InlineData("$$${a}", 1, false)]
    [InlineData("$$$${a}", 0, false)]
    [InlineData("$a {b}", 0, false)]
    public void Parse_Text_FindsItsInterpolationsAndWhetherItIsOneExpression(string text, int count, bool isOneExpression)
    {
        var parsed = InterpolatedString.Parse(text);

        Assert.Null(parsed.SyntaxError);
        Assert.Equal(count, parsed.Interpolations.Count);
        Assert.Equal(isOneExpression, parsed.IsSingleExpression);
    }

    [Fact]
    public void Parse_PropertyAccess_SplitsNamesKeysAndIndexes()
    {
        var parsed = InterpolatedString.Parse("x-${fra-es-1.ipv4s[1][\"a.b\"].c}-y");

        var interpolation = Assert.Single(parsed.Interpolations);
        Assert.Equal("${fra-es-1.ipv4s[1][\"a.b\"].c}", interpolation.Source);
        Assert.Equal("fra-es-1", interpolation.RootName);
        Assert.Equal(
            [new PropertyAccessor("fra-es-1", null), new PropertyAccessor("ipv4s", null), new PropertyAccessor(null, 1), new PropertyAccessor("a.b", null), new PropertyAccessor("c", null)],
            interpolation.Path);
    }

    [Fact]
    public void Parse_QuotedRootName_IsTheRoot()
    {
        var parsed = InterpolatedString.Parse("${[\"my.resource\"].id}");

        Assert.Equal("my.resource", Assert.Single(parsed.Interpolations).RootName);
    }

    [Theory]
    [InlineData("${a", "unterminated interpolation")]
    [InlineData("${}", "empty interpolation")]
    [InlineData("${[0]}", "an interpolation must start with a name")]
    [InlineData("${a[x]}", "invalid list index")]
    [InlineData("${a[\"b}", "missing closing quote")]
    public void Parse_MalformedInterpolation_HasASyntaxError(string text, string error)
    {
        var parsed = InterpolatedString.Parse(text);

        Assert.NotNull(parsed.SyntaxError);
        Assert.StartsWith(error, parsed.SyntaxError, StringComparison.Ordinal);
    }
}
