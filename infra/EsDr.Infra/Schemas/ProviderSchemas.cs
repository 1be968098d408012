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

    private ProviderSchemas(IReadOnlyDictionary<string, PackageSchema> packages)
    {
        Packages = packages;
        PinnedVersions = packages.Values.ToDictionary(p => p.Name, p => p.Version, StringComparer.Ordinal);
    }

    /// <summary>Package name (<c>linode</c>, <c>aws</c>, …) → its schema.</summary>
    public IReadOnlyDictionary<string, PackageSchema> Packages { get; }

    /// <summary>Package name → the version the program pins, e.g. <c>linode</c> → <c>6.0.0</c>.</summary>
    public IReadOnlyDictionary<string, string> PinnedVersions { get; }

    /// <summary>The schemas embedded in this assembly, read once per process.</summary>
    public static ProviderSchemas LoadEmbedded() => Embedded.Value;

    /// <summary>Schemas from JSON documents in the embedded format (tests use small hand-written ones).</summary>
    public static ProviderSchemas FromJson(IEnumerable<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var packages = new Dictionary<string, PackageSchema>(StringComparer.Ordinal);
        foreach (var json in documents)
        {
            using var document = JsonDocument.Parse(json);
            Add(packages, SchemaReader.ReadPackage(document.RootElement));
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

    private static ProviderSchemas LoadFromAssembly()
    {
        var assembly = typeof(ProviderSchemas).Assembly;
        var packages = new Dictionary<string, PackageSchema>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(IsSchemaResource).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"embedded schema {name} cannot be opened");
            using var document = JsonDocument.Parse(stream);
            Add(packages, SchemaReader.ReadPackage(document.RootElement));
        }

        if (packages.Count == 0)
        {
            throw new InvalidOperationException($"no provider schemas are embedded in {assembly.GetName().Name} (expected {ResourcePrefix}*.json)");
        }

        return new ProviderSchemas(packages);
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

        public static PackageSchema ReadPackage(JsonElement root)
        {
            var name = RequiredString(root, "name");
            var version = RequiredString(root, "version");

            var resources = new Dictionary<string, ResourceSchema>(StringComparer.Ordinal);
            if (root.TryGetProperty("resources", out var resourcesElement))
            {
                foreach (var resource in resourcesElement.EnumerateObject())
                {
                    resources[resource.Name] = ReadResource(resource.Name, resource.Value);
                }
            }

            var types = new Dictionary<string, TypeSchema>(StringComparer.Ordinal);
            if (root.TryGetProperty("types", out var typesElement))
            {
                foreach (var type in typesElement.EnumerateObject())
                {
                    types[type.Name] = ReadType(type.Name, type.Value);
                }
            }

            var provider = root.TryGetProperty("provider", out var providerElement)
                ? ReadResource(ProviderTokenPrefix + name, providerElement)
                : new ResourceSchema(ProviderTokenPrefix + name, NoProperties, [], NoProperties);

            return new PackageSchema(name, version, resources, types, provider)
            {
                PluginDownloadUrl = OptionalString(root, "pluginDownloadURL"),
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

        private static string RequiredString(JsonElement owner, string key) =>
            OptionalString(owner, key) ?? throw new InvalidOperationException($"provider schema has no '{key}'");
    }
}
