using EsDr.Infra.Tests.Program;
using EsDr.Infra.YamlText;
using YamlDotNet.Core;

namespace EsDr.Infra.Tests.YamlText;

/// <summary>
/// The direct writer is held to YamlDotNet's emitter byte for byte: every hostile scalar in every style this project
/// asks for, as a key, a mapping value and a sequence item, nested in mappings and sequences, first and last, with and
/// without indented sequences, and beside empty collections. Where it declines, it says so instead of guessing.
/// </summary>
public class BlockYamlWriterTests
{
    private static readonly ScalarStyle[] Styles = [ScalarStyle.Any, ScalarStyle.Plain, ScalarStyle.DoubleQuoted, ScalarStyle.Literal];

    public static TheoryData<string, ScalarStyle, bool> Cases()
    {
        var data = new TheoryData<string, ScalarStyle, bool>();
        var scalars = ProgramYamlWriterRoundTripTests.HostileScalars.Concat(ProgramYamlWriterDirectTests.MultiLine)
            .Concat(["a #b", "a:b", "a: b", "-x", "?x", ":x", "x-", "k'v", "'", "' x", "x 'y'", "@", ",", "a,b", "a\tb", " x\ny", "x\n\ty\n", "\u00e9\ne"])
            .Distinct(StringComparer.Ordinal);
        foreach (var s in scalars)
            foreach (var style in Styles)
                foreach (var indentSequences in new[] { false, true })
                    data.Add(s, style, indentSequences);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Document_WithTheScalarEverywhere_IsWhatTheEmitterWrites(string s, ScalarStyle style, bool indentSequences)
    {
        using var emitter = new EmitterTarget(Settings(indentSequences));
        var writer = new BlockYamlWriter(indentSequences);

        Document(emitter, s, style);
        Document(writer, s, style);

        if (writer.Declined) return;
        Assert.Equal(emitter.Finish(), writer.Finish());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Key_WithTheScalar_IsWhatTheEmitterWrites(string s, ScalarStyle style, bool indentSequences)
    {
        using var emitter = new EmitterTarget(Settings(indentSequences));
        var writer = new BlockYamlWriter(indentSequences);

        foreach (var target in new IBlockYamlTarget[] { emitter, writer })
        {
            target.MappingStart();
            target.Key(s, style);
            target.Scalar("v", ScalarStyle.Any);
            target.Key("after", ScalarStyle.Any);
            target.EmptyMapping();
            target.MappingEnd();
        }

        if (writer.Declined) return;
        Assert.Equal(emitter.Finish(), writer.Finish());
    }

    [Fact]
    public void Writer_TakesEveryStyleThisProjectWritesForOrdinaryText()
    {
        foreach (var style in Styles)
        {
            foreach (var s in new[] { "plain", "x: y", "- x", "'q'", "multi\nline\n", "with ${ref}/32", "日本", "tab\there" })
            {
                var writer = new BlockYamlWriter(indentSequences: true);
                Document(writer, s, style is ScalarStyle.Literal || !s.Contains('\n') ? style : ScalarStyle.DoubleQuoted);
                // Plain is asked for printable ASCII only (the program writer double-quotes the rest).
                if (style is ScalarStyle.Any or ScalarStyle.Plain && !s.All(c => c is >= ' ' and <= '~' || c == '\n')) continue;
                Assert.False(writer.Declined, $"declined '{s}' as {style}");
            }
        }
    }

    [Fact]
    public void Writer_DeclinesWhatItDoesNotWriteAsTheEmitterDoes()
    {
        Assert.True(Declines(w => w.Key("multi\nline", ScalarStyle.DoubleQuoted)));
        Assert.True(Declines(w => w.Key(new string('k', 1025), ScalarStyle.Any)));
        Assert.True(Declines(w => w.Scalar("a\r\nb", ScalarStyle.Literal)));
        Assert.True(Declines(w => w.Scalar("caf\u00e9", ScalarStyle.Any)));
        Assert.True(Declines(w => w.Scalar("\ud800", ScalarStyle.DoubleQuoted)));
        Assert.False(Declines(w => w.Scalar("\ud83d\ude00", ScalarStyle.DoubleQuoted)));
    }

    private static bool Declines(Action<BlockYamlWriter> value)
    {
        var writer = new BlockYamlWriter(indentSequences: false);
        writer.MappingStart();
        writer.Key("k", ScalarStyle.Any);
        value(writer);
        writer.MappingEnd();
        return writer.Declined;
    }

    private static EmitterSettings Settings(bool indentSequences) =>
        new(2, int.MaxValue, false, 1024, false, indentSequences, "\n");

    // The scalar as a top-level value, a nested value, a sequence item (first, middle, last), inside a sequence of
    // sequences and a sequence of mappings, beside empty collections, and last in the document.
    private static void Document(IBlockYamlTarget t, string s, ScalarStyle style)
    {
        t.MappingStart();
        t.Key("first", ScalarStyle.Any);
        t.Scalar(s, style);
        t.Key("nested", ScalarStyle.Any);
        t.MappingStart();
        t.Key("a", ScalarStyle.Any);
        t.Scalar(s, style);
        t.Key("list", ScalarStyle.Any);
        t.SequenceStart();
        t.Item();
        t.Scalar(s, style);
        t.Item();
        t.SequenceStart();
        t.Item();
        t.Scalar(s, style);
        t.Item();
        t.EmptySequence();
        t.SequenceEnd();
        t.Item();
        t.MappingStart();
        t.Key("k", ScalarStyle.Any);
        t.Scalar(s, style);
        t.Key("l", ScalarStyle.DoubleQuoted);
        t.SequenceStart();
        t.Item();
        t.Scalar(s, style);
        t.SequenceEnd();
        t.MappingEnd();
        t.Item();
        t.EmptyMapping();
        t.Item();
        t.Scalar(s, style);
        t.SequenceEnd();
        t.MappingEnd();
        t.Key("empty", ScalarStyle.Any);
        t.EmptyMapping();
        t.Key("last", ScalarStyle.Any);
        t.Scalar(s, style);
        t.MappingEnd();
    }
}
