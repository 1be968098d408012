using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace EsDr.Infra.Schemas;

/// <summary>
/// The provider schemas of the pinned package versions, embedded in this assembly as
/// <c>schemas/&lt;package&gt;.json</c>. Every resource type, property and output the compiler emits must exist here.
/// </summary>
public sealed class ProviderSchemas
{
    public const string ProviderTokenPrefix = "pulumi:providers:";

    private const string ResourcePrefix = "schemas/";
    private static readonly Lazy<ProviderSchemas> Embedded = new(LoadFromAssembly, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Lazy<IReadOnlyDictionary<string, string>> pinnedVersions;

    private ProviderSchemas(IReadOnlyDictionary<string, PackageSchema> packages)
    {
        Packages = packages;
        pinnedVersions = new(() => packages.Values.ToDictionary(p => p.Name, p => p.Version, StringComparer.Ordinal));
    }

    /// <summary>Package name (<c>linode</c>, <c>aws</c>, …) → its schema. Embedded schemas are read when first asked for.</summary>
    public IReadOnlyDictionary<string, PackageSchema> Packages { get; }

    /// <summary>Package name → the version the program pins, e.g. <c>linode</c> → <c>6.0.0</c>.</summary>
    public IReadOnlyDictionary<string, string> PinnedVersions => pinnedVersions.Value;

    /// <summary>The schemas embedded in this assembly, read once per process.</summary>
    public static ProviderSchemas LoadEmbedded() => Embedded.Value;

    /// <summary>
    /// Reads every embedded package's index now (a few milliseconds for all of them), so a compile can do it on a
    /// second core while it builds the program, and the check that follows finds them read.
    /// </summary>
    public static ProviderSchemas PreloadEmbedded()
    {
        var schemas = Embedded.Value;
        foreach (var package in schemas.Packages.Values) _ = package.Provider;
        return schemas;
    }

    /// <summary>Schemas from JSON documents in the embedded format (tests use small hand-written ones).</summary>
    public static ProviderSchemas FromJson(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var packages = new Dictionary<string, PackageSchema>(StringComparer.Ordinal);
        foreach (var json in documents)
        {
            Add(packages, SchemaReader.ReadPackage(System.Text.Encoding.UTF8.GetBytes(json)));
        }

        return new ProviderSchemas(packages);
    }

    /// <summary>The package that owns a resource type token: <c>linode:index/instance:Instance</c> → linode,
    /// <c>pulumi:providers:linode</c> → linode.</summary>
    public static string PackageOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.StartsWith(ProviderTokenPrefix, StringComparison.Ordinal))
        {
            return token[ProviderTokenPrefix.Length..];
        }

        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? token : token[..colon];
    }

    /// <summary>The schema of a resource type or of a package's provider (<c>pulumi:providers:&lt;pkg&gt;</c>), if known.</summary>
    public ResourceSchema? FindResource(string token)
    {
        if (!Packages.TryGetValue(PackageOf(token), out var package))
        {
            return null;
        }

        if (string.Equals(token, package.ProviderToken, StringComparison.Ordinal))
        {
            return package.Provider;
        }

        return package.Resources.GetValueOrDefault(token);
    }

    /// <summary>
    /// Names every embedded schema (<c>schemas/linode.json</c> → <c>linode</c>) and reads one only when a program
    /// names its package: the dev stack never reads AWS's 740 KB.
    /// </summary>
    private static ProviderSchemas LoadFromAssembly()
    {
        var assembly = typeof(ProviderSchemas).Assembly;
        var names = assembly.GetManifestResourceNames().Where(IsSchemaResource).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            throw new InvalidOperationException($"no provider schemas are embedded in {assembly.GetName().Name} (expected {ResourcePrefix}*.json)");
        }

        return new ProviderSchemas(new EmbeddedPackages(names.ToDictionary(PackageNameOf, name => name, StringComparer.Ordinal)));
    }

    private static string PackageNameOf(string resourceName) => resourceName[ResourcePrefix.Length..^".json".Length];

    private static PackageSchema ReadEmbedded(string package, string resourceName)
    {
        using var stream = typeof(ProviderSchemas).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded schema {resourceName} cannot be opened");
        var json = new byte[stream.Length];
        stream.ReadExactly(json);
        var schema = SchemaReader.ReadPackage(json);
        return string.Equals(schema.Name, package, StringComparison.Ordinal)
            ? schema
            : throw new InvalidOperationException($"embedded schema {resourceName} is for package '{schema.Name}'");
    }

    /// <summary>The embedded packages by name, each read on first use, once, whichever thread asks.</summary>
    private sealed class EmbeddedPackages(IReadOnlyDictionary<string, string> resourceNames) : IReadOnlyDictionary<string, PackageSchema>
    {
        private readonly Dictionary<string, Lazy<PackageSchema>> packages = resourceNames.ToDictionary(
            kv => kv.Key,
            kv => new Lazy<PackageSchema>(() => ReadEmbedded(kv.Key, kv.Value), LazyThreadSafetyMode.ExecutionAndPublication),
            StringComparer.Ordinal);

        public PackageSchema this[string key] => packages[key].Value;

        public IEnumerable<string> Keys => packages.Keys;

        public IEnumerable<PackageSchema> Values => packages.Values.Select(p => p.Value);

        public int Count => packages.Count;

        public bool ContainsKey(string key) => packages.ContainsKey(key);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out PackageSchema value)
        {
            value = packages.TryGetValue(key, out var package) ? package.Value : null;
            return value is not null;
        }

        public IEnumerator<KeyValuePair<string, PackageSchema>> GetEnumerator() =>
            packages.Select(kv => new KeyValuePair<string, PackageSchema>(kv.Key, kv.Value.Value)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static bool IsSchemaResource(string name) =>
        name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal);

    private static void Add(Dictionary<string, PackageSchema> packages, PackageSchema package)
    {
        if (!packages.TryAdd(package.Name, package))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"two schemas for package '{package.Name}' ({packages[package.Name].Version} and {package.Version})"));
        }
    }

    /// <summary>Reads the subset of the Pulumi package schema format that validation needs.</summary>
    private static class SchemaReader
    {
        private static readonly IReadOnlyDictionary<string, PropertySpec> NoProperties = new Dictionary<string, PropertySpec>();

        /// <summary>
        /// The package's name, version and provider, and an index of its resources and types: one pass of the
        /// tokeniser over the document, each resource and type parsed only when the program names it.
        /// </summary>
        public static PackageSchema ReadPackage(ReadOnlyMemory<byte> json)
        {
            var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("provider schema is not a JSON object");
            string? name = null, version = null, pluginDownloadUrl = null;
            Range? provider = null;
            LazyJsonMap<ResourceSchema>? resources = null;
            LazyJsonMap<TypeSchema>? types = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString();
                reader.Read();
                switch (key)
                {
                    case "name" when reader.TokenType == JsonTokenType.String: name = reader.GetString(); break;
                    case "version" when reader.TokenType == JsonTokenType.String: version = reader.GetString(); break;
                    case "pluginDownloadURL" when reader.TokenType == JsonTokenType.String: pluginDownloadUrl = reader.GetString(); break;
                    case "resources" when reader.TokenType == JsonTokenType.StartObject: resources = LazyJsonMap<ResourceSchema>.Index(json, ref reader, ReadResource); break;
                    case "types" when reader.TokenType == JsonTokenType.StartObject: types = LazyJsonMap<TypeSchema>.Index(json, ref reader, ReadType); break;
                    case "provider":
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        provider = new Range(start, (int)reader.BytesConsumed);
                        break;
                    default: reader.Skip(); break;
                }
            }
            if (name is null || version is null) throw new InvalidOperationException($"provider schema has no '{(name is null ? "name" : "version")}'");
            var providerSchema = provider is { } range
                ? ReadResource(ProviderTokenPrefix + name, JsonDocument.Parse(json[range]).RootElement)
                : new ResourceSchema(ProviderTokenPrefix + name, NoProperties, [], NoProperties);

            return new PackageSchema(name, version, resources ?? LazyJsonMap<ResourceSchema>.Empty(ReadResource), types ?? LazyJsonMap<TypeSchema>.Empty(ReadType), providerSchema)
            {
                PluginDownloadUrl = pluginDownloadUrl,
            };
        }

        private static ResourceSchema ReadResource(string token, JsonElement element) =>
            new(token, ReadProperties(element, "inputProperties"), ReadStrings(element, "requiredInputs"), ReadProperties(element, "properties"));

        private static TypeSchema ReadType(string token, JsonElement element) =>
            new(token, OptionalString(element, "type"), ReadProperties(element, "properties"), ReadStrings(element, "required"), ReadEnum(element));

        private static Dictionary<string, PropertySpec> ReadProperties(JsonElement owner, string key)
        {
            var properties = new Dictionary<string, PropertySpec>(StringComparer.Ordinal);
            if (owner.TryGetProperty(key, out var element) && element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    properties[property.Name] = ReadSpec(property.Value);
                }
            }

            return properties;
        }

        private static PropertySpec ReadSpec(JsonElement element)
        {
            PropertySpec? Nested(string key) =>
                element.TryGetProperty(key, out var nested) && nested.ValueKind == JsonValueKind.Object ? ReadSpec(nested) : null;

            var oneOf = element.TryGetProperty("oneOf", out var alternatives) && alternatives.ValueKind == JsonValueKind.Array
                ? alternatives.EnumerateArray().Select(ReadSpec).ToArray()
                : [];

            return new PropertySpec(
                OptionalString(element, "type"),
                OptionalString(element, "$ref"),
                Nested("items"),
                Nested("additionalProperties"),
                oneOf,
                ReadEnum(element));
        }

        /// <summary>Enum values are plain values here, or <c>{"value": …}</c> objects in the full schema format.</summary>
        private static string[] ReadEnum(JsonElement element)
        {
            if (!element.TryGetProperty("enum", out var values) || values.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return values.EnumerateArray()
                .Select(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("value", out var inner) ? inner : v)
                .Where(v => v.ValueKind != JsonValueKind.Null)
                .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
                .ToArray();
        }

        private static string[] ReadStrings(JsonElement owner, string key) =>
            owner.TryGetProperty(key, out var element) && element.ValueKind == JsonValueKind.Array
                ? element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : [];

        private static string? OptionalString(JsonElement owner, string key) =>
            owner.TryGetProperty(key, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
