using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace EsDr.Infra.Schemas;

/// <summary>
/// A read-only map over one JSON object whose values are parsed only when asked for. The provider schemas are 1.9 MB
/// of JSON, and a compile looks up a few dozen of their thousands of resources and types: building a document of
/// them all took a fifth of a ten-region compile. So the object is only tokenised (each value stepped over, its byte
/// range kept), and a value becomes a <see cref="JsonDocument"/> of its own bytes when first read. Safe to share
/// between threads (the tests share the embedded schemas).
/// </summary>
internal sealed class LazyJsonMap<T> : IReadOnlyDictionary<string, T>
{
    private readonly ReadOnlyMemory<byte> json;
    private readonly Dictionary<string, Range> entries;
    private readonly ConcurrentDictionary<string, T> read = new(StringComparer.Ordinal);
    private readonly Func<string, JsonElement, T> readValue;

    private LazyJsonMap(ReadOnlyMemory<byte> json, Dictionary<string, Range> entries, Func<string, JsonElement, T> readValue)
    {
        this.json = json;
        this.entries = entries;
        this.readValue = readValue;
    }

    public static LazyJsonMap<T> Empty(Func<string, JsonElement, T> readValue) => new(default, new(StringComparer.Ordinal), readValue);

    /// <summary>The object at the reader (positioned on its <c>StartObject</c>); the reader is left on its <c>EndObject</c>.</summary>
    /// <param name="json">The bytes the reader reads, kept to parse values from.</param>
    public static LazyJsonMap<T> Index(ReadOnlyMemory<byte> json, ref Utf8JsonReader reader, Func<string, JsonElement, T> readValue)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object, found {reader.TokenType}");
        var entries = new Dictionary<string, Range>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            entries[name] = new Range(start, (int)reader.BytesConsumed);
        }
        return new(json, entries, readValue);
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        if (!entries.TryGetValue(key, out var range))
        {
            value = default;
            return false;
        }
        // Not disposed: what readValue builds may keep elements of the document.
        value = read.GetOrAdd(key, (name, r) => readValue(name, JsonDocument.Parse(json[r]).RootElement), range);
        return true;
    }

    public T this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not in the schema");

    public bool ContainsKey(string key) => entries.ContainsKey(key);

    public int Count => entries.Count;

    public IEnumerable<string> Keys => entries.Keys;

    public IEnumerable<T> Values => Keys.Select(k => this[k]);

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => Keys.Select(k => new KeyValuePair<string, T>(k, this[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
