using System.Globalization;
using System.Text.Json.Nodes;

namespace EsDr.Infra.Tests.Fuzz;

/// <summary>
/// Mutates a stack's config the way a careless or hostile hand would: values of the wrong type, empty, huge or
/// hostile (control characters, <c>${…}</c>, YAML indicators, non-canonical CIDRs, extreme numbers, deep nesting),
/// keys deleted or added, list items repeated, values borrowed from other stacks. Works on the config as Pulumi
/// hands it over (keys <c>project:key</c>, plain strings or JSON text) and gives it back in that form. Deterministic
/// for a given <see cref="Random"/>.
/// </summary>
internal sealed class ConfigMutator(Random random, IReadOnlyList<IReadOnlyDictionary<string, string>> corpus)
{
    /// <summary>Stands for a lone surrogate inside JSON text, which no JSON writer produces: replaced by <c>\ud800</c>.</summary>
    private const string LoneSurrogateMarker = "LONE-SURROGATE-0d4a9e";

    private const string Prefix = "es-dr:";

    private static readonly string[] HostileStrings =
    [
        "", " ", "x", "\u0001", "a\u001b[2Jb", "\t", "line\nbreak", "\r", "\u0085", "\u2028", "\ufeff", "\uffff", LoneSurrogateMarker,
        "${fra-es-1.rootPass}", "${x}", "$${x}", "${", "}", "${alertWebhookToken}", "<<", "=", "~", "null", "true", "yes", "3", "-1",
        "0x1F", "0b101", "2001-12-14", "*a", "&a", "!tag", "%x", "- x", "? x", ": x", "#x", "'", "\"", "x: y", "[x]", "{x}",
        "0.0.0.0/0", "0.0.0.0/+0", "10.0.0.0/8 ", " 10.0.0.0/8", "010.0.0.0/8", "10.0.0.1/8", "10.0.0.0/08", "::/0", "10.0.0.0/33",
        "999.0.0.0/8", "é", "😀", "../../etc/passwd", "a,b", "a b", "https://user:pw@example.com/alerts", "90s", "0s", "1x",
        "FRA", "fra", "dub", "monitoring", "active", "standby", "haproxy", "nodebalancer", "aws", "ovh", "linode",
    ];

    private static readonly double[] HostileNumbers =
        [0, -1, 1, 2, 3, 4, 5, 10, 11, 21, 99, 100, 65535, 65536, 2147483647, 2147483648, -2147483649, 9007199254740993, 1e308, 1.5, -0.0];

    /// <summary>The config with 1–3 mutations applied, and what each did.</summary>
    public (Dictionary<string, string> Config, List<string> Mutations) Mutate(IReadOnlyDictionary<string, string> flat)
    {
        var root = ToTree(flat);
        var done = new List<string>();
        // Mostly one mutation, so many cases still compile and reach the renderers; sometimes two or three.
        for (var n = random.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 }; n > 0; n--) done.Add(MutateOnce(root));
        return (ToFlat(root, flat), done);
    }

    private string MutateOnce(JsonObject root)
    {
        if (random.Next(10) == 0) return MutateTopLevel(root);
        var slots = Slots(root, "").ToList();
        var (parent, key, index, path) = slots[random.Next(slots.Count)];
        var current = Get(parent, key, index);
        switch (random.Next(20))
        {
            case < 2 when parent != root || random.Next(4) == 0:
                Remove(parent, key, index);
                return $"{path} deleted";
            case < 4 when current is JsonObject o:
                var added = random.Next(3) == 0 ? "bogus" : BorrowedKey();
                if (o.ContainsKey(added)) goto default;
                o[added] = Borrowed(added) ?? JsonValue.Create("x");
                return $"{path}.{added} added";
            case 4 when current is JsonArray a && a.Count > 0:
                a.Add(a[random.Next(a.Count)]?.DeepClone());
                return $"{path}: an item repeated";
            case 5:
                var swapped = TypeSwapped(current);
                Set(parent, key, index, swapped);
                return $"{path} := {Describe(swapped)} (type swapped)";
            case < 8 when current is JsonValue v && v.TryGetValue<double>(out var number):
                var changed = (random.Next(4) switch { 0 => number + 1, 1 => number - 1, 2 => number * 1000, _ => -number });
                Set(parent, key, index, JsonValue.Create(changed));
                return $"{path} := {changed.ToString(CultureInfo.InvariantCulture)}";
            case < 8 when current is JsonValue v && v.TryGetValue<string>(out var text):
                var edited = random.Next(4) switch { 0 => text + "x", 1 => text.ToUpperInvariant(), 2 => " " + text, _ => text + "/+" };
                Set(parent, key, index, JsonValue.Create(edited));
                return $"{path} := {Describe(JsonValue.Create(edited))}";
            case < 12 when Borrowed(key ?? "") is { } borrowed:
                // A value valid in another stack: new combinations of valid settings reach the renderers.
                Set(parent, key, index, borrowed);
                return $"{path} := {Describe(borrowed)} (from another stack)";
            case 12:
                var deep = Nested(random.Next(2) == 0 ? 40 : 70);
                Set(parent, key, index, deep);
                return $"{path} := a value nested {Depth(deep)} deep";
            default:
                var hostile = Hostile();
                Set(parent, key, index, hostile);
                return $"{path} := {Describe(hostile)}";
        }
    }

    /// <summary>A top-level key added (unknown, hostile, or a whole section borrowed from another stack) or its raw text broken.</summary>
    private string MutateTopLevel(JsonObject root)
    {
        var missing = corpus.SelectMany(c => c.Keys).Where(k => k.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(k => k[Prefix.Length..]).Where(k => !root.ContainsKey(k)).Distinct().Order(StringComparer.Ordinal).ToList();
        switch (random.Next(3))
        {
            case 0 when missing.Count > 0:
                var key = missing[random.Next(missing.Count)];
                root[key] = Borrowed(key);
                return $"{key} added (from another stack)";
            case 1:
                var hostileKey = new[] { "bogus", "ta\u001bgs", "${x}", "", "regions ", "Regions" }[random.Next(6)];
                if (root.ContainsKey(hostileKey)) goto default;
                root[hostileKey] = JsonValue.Create("x");
                return $"top-level key {Describe(JsonValue.Create(hostileKey))} added";
            default:
                var keys = root.Select(kv => kv.Key).ToList();
                var target = keys[random.Next(keys.Count)];
                var raw = new[] { "[", "{", "{\"a\":1,\"a\":2}", "{\"k\":\"LONE\"}".Replace("LONE", LoneSurrogateMarker, StringComparison.Ordinal), "[1,2", "{}", "[]", " [] ", "{\"\":null}" }[random.Next(9)];
                root[target] = JsonValue.Create(raw);
                return $"{target}'s text := {Describe(JsonValue.Create(raw))}";
        }
    }

    private JsonNode? Hostile() => random.Next(8) switch
    {
        < 4 => JsonValue.Create(random.Next(10) == 0 ? new string('h', 20_000) : HostileStrings[random.Next(HostileStrings.Length)]),
        < 6 => JsonValue.Create(HostileNumbers[random.Next(HostileNumbers.Length)]),
        6 => random.Next(3) switch { 0 => JsonValue.Create(true), 1 => JsonValue.Create(false), _ => null },
        _ => random.Next(3) switch { 0 => new JsonObject(), 1 => new JsonArray(), _ => new JsonArray(new JsonArray()) },
    };

    private static JsonNode? TypeSwapped(JsonNode? node) => node switch
    {
        JsonArray { Count: > 0 } a => a[0]?.DeepClone(),
        JsonArray => JsonValue.Create(""),
        JsonObject o => JsonValue.Create(o.ToJsonString()),
        JsonValue v when v.TryGetValue<double>(out var d) => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        null => new JsonObject(),
        _ => new JsonArray(node.DeepClone()),
    };

    private static JsonNode Nested(int depth)
    {
        JsonNode node = JsonValue.Create("deep");
        for (var i = 0; i < depth; i++) node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["k"] = node };
        return node;
    }

    private static int Depth(JsonNode? node) => node switch
    {
        JsonArray a => 1 + a.Select(Depth).DefaultIfEmpty(0).Max(),
        JsonObject o => 1 + o.Select(kv => Depth(kv.Value)).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    /// <summary>A key name used somewhere in the corpus, so added keys are often ones the parser knows.</summary>
    private string BorrowedKey()
    {
        var keys = corpus.SelectMany(c => c.Values).Select(Parse).SelectMany(n => Keys(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return keys.Count == 0 ? "bogus" : keys[random.Next(keys.Count)];
    }

    /// <summary>A value that some example stack gives a key of this name (valid there), or null.</summary>
    private JsonNode? Borrowed(string key)
    {
        var values = corpus.SelectMany(c => c.Select(kv => (Key: kv.Key[(kv.Key.IndexOf(':', StringComparison.Ordinal) + 1)..], Node: Parse(kv.Value))))
            .SelectMany(kv => ValuesOf(kv.Key, kv.Node, key)).ToList();
        return values.Count == 0 ? null : values[random.Next(values.Count)]!.DeepClone();
    }

    private static IEnumerable<JsonNode?> ValuesOf(string name, JsonNode? node, string key)
    {
        if (name == key) yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(kv => (kv.Key, kv.Value)),
            JsonArray a => a.Select(v => ("", v)),
            _ => [],
        };
        foreach (var (k, v) in children)
            foreach (var found in ValuesOf(k, v, key)) yield return found;
    }

    private static IEnumerable<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Keys(kv.Value).Prepend(kv.Key)),
        JsonArray a => a.SelectMany(Keys),
        _ => [],
    };

    /// <summary>Every place a value sits: a top-level key, an object's property or a list's item.</summary>
    private static IEnumerable<(JsonNode Parent, string? Key, int Index, string Path)> Slots(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToList())
                {
                    var child = path.Length == 0 ? k : $"{path}.{k}";
                    yield return (o, k, -1, child);
                    if (v is not null) foreach (var s in Slots(v, child)) yield return s;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return (a, null, i, $"{path}[{i}]");
                    if (a[i] is { } v) foreach (var s in Slots(v, $"{path}[{i}]")) yield return s;
                }
                break;
        }
    }

    private static JsonNode? Get(JsonNode parent, string? key, int index) => key is not null ? parent[key] : parent[index];

    private static void Set(JsonNode parent, string? key, int index, JsonNode? value)
    {
        if (key is not null) parent[key] = value;
        else parent[index] = value;
    }

    private static void Remove(JsonNode parent, string? key, int index)
    {
        if (key is not null) ((JsonObject)parent).Remove(key);
        else ((JsonArray)parent).RemoveAt(index);
    }

    private static string Describe(JsonNode? node)
    {
        var text = node is null ? "null" : node.ToJsonString();
        text = text.Replace(LoneSurrogateMarker, "\\ud800", StringComparison.Ordinal);
        return text.Length > 80 ? $"{text[..60]}… ({text.Length} characters)" : text;
    }

    /// <summary>The project's keys as one tree: plain values as strings, structured ones parsed.</summary>
    private static JsonObject ToTree(IReadOnlyDictionary<string, string> flat)
    {
        var root = new JsonObject();
        foreach (var (key, value) in flat.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            root[key[Prefix.Length..]] = Parse(value);
        return root;
    }

    private static JsonNode? Parse(string value)
    {
        var trimmed = value.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? JsonNode.Parse(value) : JsonValue.Create(value);
    }

    /// <summary>Back to Pulumi's form: strings as they are, everything else as JSON text (a lone surrogate as its escape).</summary>
    private static Dictionary<string, string> ToFlat(JsonObject root, IReadOnlyDictionary<string, string> original)
    {
        var flat = original.Where(kv => !kv.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in root)
        {
            flat[Prefix + key] = value switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => s.Replace(LoneSurrogateMarker, "\ud800", StringComparison.Ordinal),
                null => "",
                _ => value.ToJsonString().Replace(LoneSurrogateMarker, "\\ud800", StringComparison.Ordinal),
            };
        }
        return flat;
    }
}
