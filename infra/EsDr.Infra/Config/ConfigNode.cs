using System.Globalization;
using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>
/// A config value with its key path, read leniently the way Pulumi hands values over: scalars arrive as
/// strings ("3", "true"), structured values as JSON. Every read that fails records an error and
/// returns a placeholder, so one pass reports every problem.
/// </summary>
internal sealed class ConfigNode(string path, JsonNode? node, List<ConfigError> errors)
{
    public string Path { get; } = path;
    public bool IsMissing => node is null;

    /// <summary>A copy of the raw value, for structured values passed through as they are.</summary>
    public JsonNode? Json => node?.DeepClone();

    public void Error(string message) => errors.Add(new ConfigError(Path, message));

    public ConfigNode Child(string key)
    {
        var child = node is JsonObject o && o.TryGetPropertyValue(key, out var v) ? v : null;
        return new ConfigNode($"{Path}.{key}", child, errors);
    }

    private HashSet<string>? removed;

    /// <summary>
    /// Reports <paramref name="key"/>, when set, as a key this version no longer reads, with what replaces it
    /// (<paramref name="instead"/>), and not also as unknown.
    /// </summary>
    public void RejectRemovedKey(string key, string instead)
    {
        if (node is not JsonObject o || !o.ContainsKey(key)) return;
        (removed ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
        errors.Add(new ConfigError($"{Path}.{key}", $"no longer read: {instead}"));
    }

    /// <summary>Reports every key of this object that is not in <paramref name="known"/> (nor reported as removed).</summary>
    public void RejectUnknownKeys(params string[] known)
    {
        if (node is not JsonObject o) return;
        foreach (var (key, _) in o)
        {
            if (!known.Contains(key, StringComparer.Ordinal) && removed?.Contains(key) != true)
                errors.Add(new ConfigError($"{Path}.{key}", $"unknown key (expected one of: {string.Join(", ", known)})"));
        }
    }

    public bool IsObject(bool required = true)
    {
        if (node is JsonObject) return true;
        if (node is null) { if (required) Error("is required"); return false; }
        Error($"must be an object, got {Describe(node)}");
        return false;
    }

    public IReadOnlyList<ConfigNode> Items(bool required = true)
    {
        switch (node)
        {
            case JsonArray a:
                return a.Select((x, i) => new ConfigNode($"{Path}[{i}]", x, errors)).ToList();
            case null:
                if (required) Error("is required");
                return [];
            default:
                Error($"must be a list, got {Describe(node)}");
                return [];
        }
    }

    /// <summary>Reports a value that is present but not a list, saying why it must be one.</summary>
    public void MustBeListIfPresent(string why)
    {
        if (node is not (null or JsonArray)) Error($"must be a list ({why}), got {Describe(node)}");
    }

    public IEnumerable<(string Key, ConfigNode Value)> Entries()
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o) yield return (k, new ConfigNode($"{Path}.{k}", v, errors));
        else if (node is not null)
            Error($"must be a map, got {Describe(node)}");
    }

    public string? OptionalString()
    {
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        if (node is JsonValue n && (n.TryGetValue<double>(out _) || n.TryGetValue<bool>(out _))) return n.ToJsonString();
        Error($"must be a string, got {Describe(node)}");
        return null;
    }

    public string String(string? fallback = null)
    {
        var s = OptionalString();
        if (s is not null) return s;
        if (node is null && fallback is not null) return fallback;
        if (node is null) Error("is required");
        return fallback ?? "";
    }

    /// <summary>
    /// A name the cloud knows something by (a location, zone, size, image, project or zone id), written into the
    /// program as it is: letters, digits and <c>. _ - / : + @</c> only. Such a value is data and never program text, so
    /// anything Pulumi YAML or an interpolation could read as syntax (<c>$</c>, braces, quotes, brackets, spaces) is
    /// refused here rather than escaped: OVH's location is even written inside one (<c>regionsOpenstackIds["…"]</c>).
    /// </summary>
    public string? OptionalIdentifier()
    {
        var s = OptionalString();
        if (s is not null && !s.All(IsIdentifierChar))
            Error($"must be a name such as eu-west-1, t3.medium or linode/debian12 (letters, digits and . _ - / : + @ only), got '{s}'");
        return s;
    }

    public string Identifier(string? fallback = null)
    {
        var s = OptionalIdentifier();
        if (s is not null) return s;
        if (node is null && fallback is null) Error("is required");
        return fallback ?? "";
    }

    public IReadOnlyList<string> Identifiers() => Items(required: false).Select(x => x.Identifier()).ToList();

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '+' or '@';

    public int? OptionalInt()
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            if (v.TryGetValue<int>(out var i)) return i;
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue) return (int)d;
            if (v.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p)) return p;
        }
        Error($"must be a whole number, got {Describe(node)}");
        return null;
    }

    public int Int(int? fallback = null)
    {
        var i = OptionalInt();
        if (i is not null) return i.Value;
        if (node is null && fallback is null) Error("is required");
        return fallback ?? 0;
    }

    public bool Bool(bool fallback)
    {
        if (node is null) return fallback;
        if (node is JsonValue v)
        {
            if (v.TryGetValue<bool>(out var b)) return b;
            if (v.TryGetValue<string>(out var s) && bool.TryParse(s, out var p)) return p;
        }
        Error($"must be true or false, got {Describe(node)}");
        return fallback;
    }

    public IReadOnlyList<string> Strings(bool required = false) =>
        Items(required).Select(x => x.String()).ToList();

    /// <summary>Reads one of a fixed set of spellings; the error lists them.</summary>
    public T Enum<T>(IReadOnlyDictionary<string, T> spellings, T? fallback = null) where T : struct
    {
        var s = OptionalString();
        if (s is null)
        {
            if (fallback is { } f && node is null) return f;
            if (node is null) Error("is required");
            return default;
        }
        if (spellings.TryGetValue(s, out var value)) return value;
        Error($"must be one of {string.Join(", ", spellings.Keys)}, got '{s}'");
        return fallback ?? default;
    }

    private static string Describe(JsonNode n) => n switch
    {
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v when v.TryGetValue<string>(out var s) => $"'{s}'",
        _ => n.ToJsonString(),
    };
}
