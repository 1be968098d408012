using System.Globalization;
using EsDr.Infra.YamlText;
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
    /// One document, written straight to text as YamlDotNet's emitter writes it (<see cref="BlockYamlWriter"/>: the
    /// emitter analysed every character of every file body, a tenth of a large compile), or by the emitter when that
    /// writer declines the document.
    /// </summary>
    public static string Serialize(YamlNode root) => SerializeDirect(root) ?? SerializeThroughEmitter(root);

    /// <summary>The document written straight to text, or null when the direct writer declines it.</summary>
    internal static string? SerializeDirect(YamlNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var writer = new BlockYamlWriter(indentSequences: true);
        Write(writer, root);
        return writer.Declined ? null : writer.Finish();
    }

    /// <summary>
    /// The document written by the node itself through the emitter: what <see cref="Serialize"/> must equal byte for byte
    /// (YamlDotNet's serializer does the same for a node, but builds a reflection-based serializer to do it, costly at
    /// start-up and not available under Native AOT).
    /// </summary>
    internal static string SerializeThroughEmitter(YamlNode root)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, Settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        ((IYamlConvertible)root).Write(emitter, NoNestedObjects);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    // The nodes as they write themselves, for the subset the direct writer takes: a tag, an anchor, a null scalar, a
    // non-scalar key or a flow collection with entries leaves the document to the emitter.
    private static void Write(BlockYamlWriter writer, YamlNode node)
    {
        if (writer.Declined) return;
        if (!node.Anchor.IsEmpty || !node.Tag.IsEmpty)
        {
            writer.Decline();
            return;
        }
        switch (node)
        {
            case YamlScalarNode { Value: { } value } scalar:
                writer.Scalar(value, scalar.Style);
                break;
            case YamlMappingNode { Children.Count: 0 }:
                writer.EmptyMapping();
                break;
            case YamlMappingNode { Style: not MappingStyle.Flow } mapping:
                writer.MappingStart();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } name, Anchor.IsEmpty: true, Tag.IsEmpty: true } keyScalar) writer.Key(name, keyScalar.Style);
                    else writer.Decline();
                    Write(writer, value);
                }
                writer.MappingEnd();
                break;
            case YamlSequenceNode { Children.Count: 0 }:
                writer.EmptySequence();
                break;
            case YamlSequenceNode { Style: not SequenceStyle.Flow } sequence:
                writer.SequenceStart();
                foreach (var item in sequence.Children)
                {
                    writer.Item();
                    Write(writer, item);
                }
                writer.SequenceEnd();
                break;
            default:
                writer.Decline();
                break;
        }
    }

    // A node writes its children itself; it never asks the serializer for a nested object.
    private static void NoNestedObjects(object? value, Type? type) =>
        throw new InvalidOperationException("a YAML node asked to serialize a nested object");
}
