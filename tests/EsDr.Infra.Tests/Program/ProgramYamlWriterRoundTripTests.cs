using System.Text.RegularExpressions;
using EsDr.Infra.Program;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Program;

/// <summary>
/// The writer keeps every string a string: the emitted program, parsed back, equals the program data for every
/// hostile scalar, as a key, a value, a list item and inside multi-line text; and every scalar written plain is
/// one that YAML 1.1 and 1.2 readers both take for a string (checked by the specs' own resolution patterns,
/// independently of the writer's).
/// </summary>
public partial class ProgramYamlWriterRoundTripTests
{
    public static readonly string[] HostileScalars =
    [
        "", " ", "  x", "x ", "x\t", "\tx", "<<", "=", "~", "null", "Null", "NULL", "true", "True", "FALSE", "yes", "No", "on", "OFF",
        "y", "n", "Y", "N", "3", "-3", "+3", "0", "017", "0o17", "0x1F", "0b101", "-0b1", "1_000", "1:20", "190:20:30.15", "1e3", "1.5",
        "6.8523015e+5", ".5", "5.", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "*x", "&x", "!tag", "!!str", "%YAML", "@x", "`x", "- x", "-", "--- x", "---", "...", "? x", "?",
        ": x", ":", "x: y", "x:", "x #y", "#x", "[x]", "{x}", "x,y", "'x'", "\"x\"", "|", ">", "|-", "a\nb", "a\n", "\n", "\na",
        "a\n\n", " a\nb", "a \nb", "a\r\nb", "a\rb", "a\tb", "\t", "\u0000", "\u0001", "\u001b[31m", "\u007f", "\u0085", "\u00a0",
        "x\u00a0", "\u2028", "a\u2029b", "\ufeff", "\ufeffx", "\uffff", "é", "日本", "😀", "${x}", "$${x}", "${fra-es-1.rootPass}",
        "a\nb\u0001", "multi\nline with ${ref}\n", new string('k', 2000), "fn::secret", "x\\y", "\\", "\"", "'",
    ];

    public static TheoryData<string> Scalars()
    {
        var data = new TheoryData<string>();
        foreach (var s in HostileScalars) data.Add(s);
        return data;
    }

    private static PulumiProgram ProgramHolding(string s)
    {
        var program = new PulumiProgram("p");
        program.Variable("v", s);
        program.Add("r", "random:index/randomPassword:RandomPassword", new PMap
        {
            { "value", s },
            { "list", new List<object> { s, "ok", s + "\n" + s } },
            { "map", new PMap { { s, s } } },
        });
        program.Outputs.Add("o", s);
        return program;
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Write_HostileScalar_ReadsBackAsTheSameString(string s)
    {
        var program = ProgramHolding(s);

        var root = Parse(ProgramYamlWriter.Write(program));

        var r = (YamlMappingNode)root["resources"]["r"]["properties"];
        Assert.Equal(s, Text(root["variables"]["v"]));
        Assert.Equal(s, Text(r["value"]));
        Assert.Equal([s, "ok", s + "\n" + s], ((YamlSequenceNode)r["list"]).Children.Select(Text));
        var entry = Assert.Single(((YamlMappingNode)r["map"]).Children);
        Assert.Equal((s, s), (Text(entry.Key), Text(entry.Value)));
        Assert.Equal(s, Text(root["outputs"]["o"]));
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Write_HostileScalar_IsPlainOnlyWhereEveryReaderTakesItForAString(string s)
    {
        var root = Parse(ProgramYamlWriter.Write(ProgramHolding(s)));

        foreach (var scalar in root.AllNodes.OfType<YamlScalarNode>().Where(n => n.Style == ScalarStyle.Plain))
            Assert.True(IsString(scalar.Value!), $"'{scalar.Value}' is written plain but resolves to another type");
    }

    [Fact]
    public void Write_LoneSurrogate_IsRefusedAsACompilerBug()
    {
        // Config refuses lone surrogates; no YAML reader could take one, so writing one is a bug, never output.
        var program = ProgramHolding("a\ud800");

        Assert.Throws<InvalidOperationException>(() => ProgramYamlWriter.Write(program));
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value!;

    /// <summary>
    /// The plain-scalar resolution of YAML 1.2's core schema and of YAML 1.1's types (yaml.org/type: bool, int,
    /// float, null, merge, value, timestamp), which Pulumi's reader (go-yaml v3) still honours in part.
    /// </summary>
    private static bool IsString(string plain) =>
        !Yaml12Core().IsMatch(plain) && !Yaml11Bool().IsMatch(plain) && !Yaml11Int().IsMatch(plain) && !Yaml11Float().IsMatch(plain)
        && plain is not ("" or "<<" or "=") && !Yaml11Timestamp().IsMatch(plain);

    [GeneratedRegex(@"^(null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex Yaml12Core();

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Bool();

    [GeneratedRegex("^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$")]
    private static partial Regex Yaml11Int();

    [GeneratedRegex(@"^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Yaml11Float();

    [GeneratedRegex(@"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?(([ \t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)$")]
    private static partial Regex Yaml11Timestamp();
}
