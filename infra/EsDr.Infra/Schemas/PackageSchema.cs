namespace EsDr.Infra.Schemas;

/// <summary>One provider package at its pinned version: its resources, its named types and its provider resource.</summary>
public sealed record PackageSchema(
    string Name,
    string Version,
    IReadOnlyDictionary<string, ResourceSchema> Resources,
    IReadOnlyDictionary<string, TypeSchema> Types,
    ResourceSchema Provider)
{
    /// <summary>The schema's <c>pluginDownloadURL</c>: where Pulumi installs a plugin it does not host itself; null for Pulumi's own.</summary>
    public string? PluginDownloadUrl { get; init; }

    /// <summary>The token of this package's explicit provider resource, e.g. <c>pulumi:providers:linode</c>.</summary>
    public string ProviderToken => ProviderSchemas.ProviderTokenPrefix + Name;
}

/// <summary>A resource type (or a package's provider): what it takes and what it gives back.</summary>
public sealed record ResourceSchema(
    string Token,
    IReadOnlyDictionary<string, PropertySpec> InputProperties,
    IReadOnlyList<string> RequiredInputs,
    IReadOnlyDictionary<string, PropertySpec> Properties)
{
    /// <summary>Every resource has these outputs whatever its schema says.</summary>
    public static IReadOnlySet<string> BuiltinOutputs { get; } = new HashSet<string>(StringComparer.Ordinal) { "id", "urn" };

    /// <summary>Whether <c>${resource.name}</c> can be read from a resource of this type.</summary>
    public bool HasOutput(string name) =>
        BuiltinOutputs.Contains(name) || Properties.ContainsKey(name) || InputProperties.ContainsKey(name);

    /// <summary>Every output name, for suggestions.</summary>
    public IEnumerable<string> OutputNames => BuiltinOutputs.Concat(Properties.Keys).Concat(InputProperties.Keys).Distinct(StringComparer.Ordinal);
}

/// <summary>A named type of a package (<c>#/types/&lt;token&gt;</c>): an object shape or an enumeration.</summary>
public sealed record TypeSchema(
    string Token,
    string? Type,
    IReadOnlyDictionary<string, PropertySpec> Properties,
    IReadOnlyList<string> Required,
    IReadOnlyList<string> Enum)
{
    public bool IsObject => string.Equals(Type, "object", StringComparison.Ordinal) || Properties.Count > 0;
}

/// <summary>
/// The shape of one property: a primitive <see cref="Type"/> (string, integer, number, boolean, array, object),
/// a <see cref="Ref"/> to a named type or to <c>pulumi.json#/Any|Asset|Archive</c>, or a union (<see cref="OneOf"/>).
/// </summary>
public sealed record PropertySpec(
    string? Type,
    string? Ref,
    PropertySpec? Items,
    PropertySpec? AdditionalProperties,
    IReadOnlyList<PropertySpec> OneOf,
    IReadOnlyList<string> Enum);
