using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Schemas;

internal enum ScalarKind
{
    Null,
    String,
    Integer,
    Float,
    Boolean,
}

/// <summary>A value of the program as Pulumi YAML sees it: plain <c>3</c> is an integer, quoted <c>"3"</c> a string.</summary>
internal abstract record ProgramValue
{
    /// <summary>How the value reads in a message: <c>string "3"</c>, <c>integer 3</c>, <c>a list</c>, <c>a map</c>.</summary>
    public abstract string Describe();
}

internal sealed record ScalarValue(ScalarKind Kind, string Text) : ProgramValue
{
    private InterpolatedString? interpolated;

    public bool IsString => Kind == ScalarKind.String;

    /// <summary>
    /// The text as Pulumi YAML reads its interpolations, parsed once however many checks ask (the schema, reference and
    /// cycle checks all do, and user-data strings run to tens of kilobytes). Two threads may both parse it; both get
    /// the same.
    /// </summary>
    public InterpolatedString Interpolated => interpolated ??= InterpolatedString.Parse(Text);

    // The parse is a cache, not part of the value.
    public bool Equals(ScalarValue? other) => other is not null && Kind == other.Kind && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode(Text));

    public override string Describe() => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.String => $"string \"{Shorten(Text)}\"",
        ScalarKind.Integer => $"integer {Text}",
        ScalarKind.Float => $"number {Text}",
        _ => $"boolean {Text}",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}

internal sealed record ListValue(IReadOnlyList<ProgramValue> Items) : ProgramValue
{
    public override string Describe() => "a list";
}

internal sealed record MapEntry(string Key, ProgramValue Value);

internal sealed record MapValue(IReadOnlyList<MapEntry> Entries) : ProgramValue
{
    public override string Describe() => "a map";

    public ProgramValue? this[string key] => Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.Ordinal))?.Value;

    public bool Contains(string key) => Entries.Any(e => string.Equals(e.Key, key, StringComparison.Ordinal));
}

/// <summary>
/// Reads program text (YAML, or JSON, which is YAML) into <see cref="ProgramValue"/>s, resolving plain scalars with the
/// YAML 1.2 core schema as Pulumi's YAML reader does (so <c>yes</c> stays a string, unlike YAML 1.1).
/// </summary>
internal static partial class ProgramText
{
    private const int MaxDepth = 256;
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>The program's root value, or throws <see cref="YamlException"/> with the position of the fault.</summary>
    public static ProgramValue? Parse(string text)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(text))
        {
            stream.Load(reader);
        }

        return stream.Documents.Count switch
        {
            0 => null,
            1 => Convert(stream.Documents[0].RootNode, 0),
            _ => throw new YamlException(stream.Documents[1].RootNode.Start, stream.Documents[1].RootNode.End, "a program is one YAML document, found more"),
        };
    }

    private static ProgramValue Convert(YamlNode node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, "the program nests deeper than any real program does (a recursive alias?)");
        }

        return node switch
        {
            YamlScalarNode scalar => Resolve(scalar),
            YamlSequenceNode sequence => new ListValue(sequence.Children.Select(c => Convert(c, depth + 1)).ToArray()),
            YamlMappingNode mapping => new MapValue(mapping.Children.Select(c => new MapEntry(KeyText(c.Key), Convert(c.Value, depth + 1))).ToArray()),
            _ => throw new YamlException(node.Start, node.End, $"unsupported YAML node {node.NodeType}"),
        };
    }

    private static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } text } ? text : $"<{key.NodeType} key>";

    private static ScalarValue Resolve(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            var tag = scalar.Tag.Value;
            return tag switch
            {
                TagPrefix + "str" => new ScalarValue(ScalarKind.String, text),
                TagPrefix + "int" => new ScalarValue(ScalarKind.Integer, text),
                TagPrefix + "float" => new ScalarValue(ScalarKind.Float, text),
                TagPrefix + "bool" => new ScalarValue(ScalarKind.Boolean, text),
                TagPrefix + "null" => new ScalarValue(ScalarKind.Null, text),
                _ => throw new YamlException(scalar.Start, scalar.End, $"unsupported tag {tag}"),
            };
        }

        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || scalar.Tag.IsNonSpecific)
        {
            return new ScalarValue(ScalarKind.String, text);
        }

        return new ScalarValue(PlainKind(text), text);
    }

    /// <summary>The YAML 1.2 core schema's resolution of an untagged plain scalar.</summary>
    internal static ScalarKind PlainKind(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Boolean,
        _ when IntegerPattern().IsMatch(text) => ScalarKind.Integer,
        _ when FloatPattern().IsMatch(text) => ScalarKind.Float,
        _ => ScalarKind.String,
    };

    /// <summary>Whether a numeric scalar holds a whole number (<c>3</c>, <c>3.0</c>, <c>1e3</c>).</summary>
    internal static bool IsWholeNumber(ScalarValue scalar) =>
        scalar.Kind == ScalarKind.Integer
        || (scalar.Kind == ScalarKind.Float
            && double.TryParse(scalar.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number)
            && Math.Floor(number) == number);

    [GeneratedRegex("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
