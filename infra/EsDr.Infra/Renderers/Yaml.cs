using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace EsDr.Infra.Renderers;

/// <summary>
/// YAML building blocks shared by the renderers. Strings are always double-quoted so that neither a
/// value nor a Pulumi interpolation resolved later can change a scalar's type or break the document;
/// file bodies are literal blocks so they stay readable on the node.
/// </summary>
internal static class Yaml
{
    // Never fold long lines: a fold inside a shell command or a Pulumi reference would change it.
    private static readonly EmitterSettings Settings = EmitterSettings.Default
        .WithBestWidth(int.MaxValue)
        .WithNewLine("\n")
        .WithIndentedSequences();

    public static YamlScalarNode Str(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    public static YamlScalarNode Int(int value) =>
        new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static YamlScalarNode Block(string text) => new(text) { Style = ScalarStyle.Literal };

    public static YamlSequenceNode List(IEnumerable<string> values) => List(values.Select(Str));

    public static YamlSequenceNode List(IEnumerable<YamlNode> nodes)
    {
        var sequence = new YamlSequenceNode(nodes);
        // An empty block sequence cannot be written; `[]` keeps the key with an explicit empty value.
        if (sequence.Children.Count == 0)
        {
            sequence.Style = SequenceStyle.Flow;
        }
        return sequence;
    }

    /// <summary>A mapping in the given order; a repeated key is a renderer bug and throws.</summary>
    public static YamlMappingNode Map(IEnumerable<KeyValuePair<string, YamlNode>> entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }
        return map;
    }

    public static KeyValuePair<string, YamlNode> Entry(string key, YamlNode value) => new(key, value);

    /// <summary>
    /// One document, written by the node itself: what YamlDotNet's serializer does for a node, without building a
    /// reflection-based serializer per file (costly at start-up, and not available under Native AOT).
    /// </summary>
    public static string Serialize(YamlNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        ((IYamlConvertible)root).Write(emitter, NoNestedObjects);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    // A node writes its children itself; it never asks the serializer for a nested object.
    private static void NoNestedObjects(object? value, Type? type) =>
        throw new InvalidOperationException("a YAML node asked to serialize a nested object");
}
