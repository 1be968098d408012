using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EsDr.Infra.Config;

/// <summary>
/// Reads the first document of a YAML text into JSON values, the way Pulumi hands config over, within
/// <see cref="StackFileLimits"/>: nesting is refused past <see cref="StackFileLimits.MaxDepth"/> before it can
/// overflow the stack, aliases are expanded only up to <see cref="StackFileLimits.MaxValues"/> values and
/// <see cref="StackFileLimits.MaxTextChars"/> characters (no alias bomb), an alias to a node that contains it is
/// refused, and every key must be a string given once. Built from the parser's events, never from YamlDotNet's
/// node model, which recurses without a limit and follows recursive aliases. Each problem names
/// <c>source:line:column</c>.
/// </summary>
internal sealed class ConfigYaml
{
    private readonly Parser parser;
    private readonly string source;
    private readonly Dictionary<string, Anchored> anchors = new(StringComparer.Ordinal);
    private long values;
    private long text;

    /// <summary>Where the last event the parser gave ended: where an error from inside the parser is reported.</summary>
    private Mark read = Mark.Empty;

    /// <summary>A node with an anchor: null while it is still being read (an alias to it then would be recursive).</summary>
    private sealed record Anchored(JsonNode? Node, long Values, long Text);

    private ConfigYaml(string yaml, string source)
    {
        parser = new Parser(new StringReader(yaml));
        this.source = source;
    }

    /// <summary>The first document's root value (null for an empty stream or document).</summary>
    /// <exception cref="InvalidConfigException">Not valid YAML, or beyond a limit; one error naming where.</exception>
    public static JsonNode? Read(string yaml, string source)
    {
        if (yaml.Length > StackFileLimits.MaxBytes)
            throw new InvalidConfigException([new ConfigError(source, "is larger than 1 MiB, the limit for a stack file")]);
        try
        {
            return new ConfigYaml(yaml, source).Document();
        }
        catch (YamlException e)
        {
            // The end mark is where the reader found the problem; the start, where what it was reading began.
            var from = e.Start.Equals(e.End) ? "" : string.Create(CultureInfo.InvariantCulture, $" (reading from line {e.Start.Line}, column {e.Start.Column})");
            throw new InvalidConfigException([new ConfigError(Where(source, e.End), $"is not valid YAML: {e.Message.TrimEnd('.')}{from}")]);
        }
    }

    private JsonNode? Document()
    {
        Next(); // StreamStart
        Next();
        if (parser.Current is not DocumentStart) return null;
        Next();
        return parser.Current is DocumentEnd ? null : Node(depth: 1);
    }

    private void Next()
    {
        bool moved;
        try
        {
            moved = parser.MoveNext();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16.3 throws these instead of a YamlException on some malformed input (": {\n>", "!!]", "...\0").
            throw new YamlException(read, read, $"the YAML reader stopped after line {read.Line}, column {read.Column}: {e.Message}");
        }
        if (!moved) throw new YamlException(read, read, "unexpected end of the YAML stream");
        read = parser.Current!.End;
    }

    /// <summary>Reads the node whose first event is current and moves past it.</summary>
    private JsonNode? Node(int depth) => parser.Current switch
    {
        AnchorAlias alias => Alias(alias),
        YamlDotNet.Core.Events.Scalar scalar => Scalar(scalar),
        SequenceStart start => Collection(start, start.Anchor, depth, Sequence),
        MappingStart start => Collection(start, start.Anchor, depth, Mapping),
        var other => throw Refuse(other!.Start, $"unexpected {other.GetType().Name}"),
    };

    private JsonValue? Scalar(Scalar s)
    {
        Count(s.Start, s.Value.Length);
        if (HasLoneSurrogate(s.Value)) throw Refuse(s.Start, "is not valid UTF-16 text (a lone surrogate)");
        var value = Typed(s);
        if (!s.Anchor.IsEmpty) anchors[s.Anchor.Value] = new Anchored(value, 1, s.Value.Length);
        Next();
        return value;
    }

    /// <summary>Plain scalars keep their YAML type (3 is a number, true a boolean); quoted ones are strings.</summary>
    private static JsonValue? Typed(Scalar s)
    {
        var value = s.Value;
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(value);
        if (value is "true" or "false") return JsonValue.Create(value == "true");
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (value is "" or "~" or "null") return null;
        return JsonValue.Create(value);
    }

    private JsonNode? Alias(AnchorAlias alias)
    {
        if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
            throw Refuse(alias.Start, $"alias *{alias.Value.Value} names no anchor defined before it");
        if (anchored.Node is null && anchored.Values == 0)
            throw Refuse(alias.Start, $"alias *{alias.Value.Value} is inside the node it names (a recursive alias)");
        Count(alias.Start, anchored.Text, anchored.Values, expanding: true);
        Next();
        return anchored.Node?.DeepClone();
    }

    private JsonNode Collection(ParsingEvent start, AnchorName anchor, int depth, Func<int, JsonNode> read)
    {
        if (depth > StackFileLimits.MaxDepth)
            throw Refuse(start.Start, $"nests deeper than {StackFileLimits.MaxDepth} levels, the limit for a stack file");
        Count(start.Start, 0);
        var (valuesBefore, textBefore) = (values - 1, text);
        if (!anchor.IsEmpty) anchors[anchor.Value] = new Anchored(null, 0, 0);
        Next();
        var node = read(depth);
        Next(); // the collection's end
        if (!anchor.IsEmpty) anchors[anchor.Value] = new Anchored(node, values - valuesBefore, text - textBefore);
        return node;
    }

    private JsonArray Sequence(int depth)
    {
        var array = new JsonArray();
        while (parser.Current is not SequenceEnd) array.Add(Node(depth + 1));
        return array;
    }

    private JsonObject Mapping(int depth)
    {
        var map = new JsonObject();
        while (parser.Current is not MappingEnd)
        {
            var at = parser.Current!.Start;
            var key = Key();
            if (map.ContainsKey(key)) throw Refuse(at, $"'{key}' is given twice");
            map[key] = Node(depth + 1);
        }
        return map;
    }

    /// <summary>A key is a string (a scalar, or an alias of one); a list or map as a key (<c>? [a, b]</c>) is refused.</summary>
    private string Key()
    {
        var at = parser.Current!.Start;
        var key = parser.Current switch
        {
            YamlDotNet.Core.Events.Scalar or AnchorAlias => Node(StackFileLimits.MaxDepth),
            SequenceStart => throw Refuse(at, "a key must be a string, got a list"),
            MappingStart => throw Refuse(at, "a key must be a string, got a map"),
            var other => throw Refuse(at, $"unexpected {other!.GetType().Name}"),
        };
        return key switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            JsonArray => throw Refuse(at, "a key must be a string, got a list"),
            _ => throw Refuse(at, "a key must be a string, got a map"),
        };
    }

    /// <summary>Counts a value (or an alias's expansion) against the limits, before anything is copied.</summary>
    private void Count(Mark at, long chars, long count = 1, bool expanding = false)
    {
        values += count;
        text += chars;
        var how = expanding ? "aliases expand the document to" : "holds";
        if (values > StackFileLimits.MaxValues)
            throw Refuse(at, $"{how} more than {StackFileLimits.MaxValues} values, the limit for a stack file");
        if (text > StackFileLimits.MaxTextChars)
            throw Refuse(at, $"{how} more than 1 MiB of text, the limit for a stack file");
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }

    private InvalidConfigException Refuse(Mark at, string message) => new([new ConfigError(Where(source, at), message)]);

    private static string Where(string source, Mark at) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{at.Line}:{at.Column}");
}
