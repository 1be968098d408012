using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace EsDr.Infra.Schemas;

/// <summary>
/// A read-only map over one JSON object whose values are read only when asked for. The provider schemas are 1.9 MB
/// of JSON, and a compile looks up a few dozen of their thousands of resources and types: reading them all took
/// most of a compile's fixed cost. Safe to share between threads (the tests share the embedded schemas).
/// </summary>
internal sealed class LazyJsonMap<T> : IReadOnlyDictionary<string, T>
{
    private readonly Lazy<Dictionary<string, JsonElement>> entries;
    private readonly ConcurrentDictionary<string, T> read = new(StringComparer.Ordinal);
    private readonly Func<string, JsonElement, T> readValue;

    /// <param name="owner">The object holding the map, or an element of any other kind for an empty map.</param>
    public LazyJsonMap(JsonElement owner, string key, Func<string, JsonElement, T> readValue)
    {
        this.readValue = readValue;
        entries = new Lazy<Dictionary<string, JsonElement>>(() => Index(owner, key), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    // Only the names: JsonDocument steps over each value without reading it.
    private static Dictionary<string, JsonElement> Index(JsonElement owner, string key)
    {
        var index = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(key, out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in map.EnumerateObject()) index[entry.Name] = entry.Value;
        }
        return index;
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        if (!entries.Value.TryGetValue(key, out var element))
        {
            value = default;
            return false;
        }
        value = read.GetOrAdd(key, (name, json) => readValue(name, json), element);
        return true;
    }

    public T this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not in the schema");

    public bool ContainsKey(string key) => entries.Value.ContainsKey(key);

    public int Count => entries.Value.Count;

    public IEnumerable<string> Keys => entries.Value.Keys;

    public IEnumerable<T> Values => Keys.Select(k => this[k]);

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => Keys.Select(k => new KeyValuePair<string, T>(k, this[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
