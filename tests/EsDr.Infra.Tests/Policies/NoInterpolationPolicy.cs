using System.Text.Json.Nodes;
using EsDr.Infra.Schemas;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Policies;

/// <summary>
/// The no-interpolation policy, for any program text: config decides no reference. Pulumi YAML reads <c>${…}</c> in
/// every value string, and in every key of a map inside a value, as a reference to a resource, variable or secret,
/// and takes a one-key map whose key starts with <c>fn::</c> for a function call. A program compiled from a config
/// holding hostile text must therefore have exactly the references and function calls of a baseline: the program of
/// the same config without that text (the original value, or <see cref="Defanged"/>). Each reference is compared by
/// what it names (a resource's type and the output read, a variable, a config key), not by where it sits, so a
/// resource named after a hash of config text (a DigitalOcean SSH key) does not count as a change.
/// </summary>
internal static class NoInterpolationPolicy
{
    /// <summary>What <paramref name="programYaml"/> refers to or calls that <paramref name="baselineYaml"/> does not, or the other way round.</summary>
    public static IReadOnlyList<string> Violations(string programYaml, string baselineYaml)
    {
        var (program, syntaxErrors) = Uses(programYaml);
        var (baseline, _) = Uses(baselineYaml);
        var violations = new List<string>(syntaxErrors);
        foreach (var what in program.Keys.Union(baseline.Keys).Order(StringComparer.Ordinal))
        {
            var found = program.GetValueOrDefault(what) ?? [];
            var expected = baseline.GetValueOrDefault(what)?.Count ?? 0;
            if (found.Count != expected)
                violations.Add($"{what}: {found.Count} in the program, {expected} in the baseline{(found.Count > 0 ? $" (e.g. {found[^1]})" : "")}");
        }
        return violations;
    }

    /// <summary>
    /// A baseline config for a hostile one: every string and map key of every value with <c>$</c> made <c>S</c> and
    /// <c>fn::</c> made <c>fn--</c>, the same in every other respect (lengths included).
    /// </summary>
    public static Dictionary<string, string> Defanged(IReadOnlyDictionary<string, string> flatConfig) =>
        flatConfig.ToDictionary(kv => kv.Key, kv => DefangValue(kv.Value), StringComparer.Ordinal);

    private static string DefangValue(string raw)
    {
        var trimmed = raw.TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.StartsWith('[')) return Defang(raw);
        try
        {
            return DefangJson(JsonNode.Parse(raw))?.ToJsonString() ?? raw;
        }
        catch (System.Text.Json.JsonException)
        {
            return Defang(raw);
        }
    }

    private static JsonNode? DefangJson(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(Defang(kv.Key), DefangJson(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(DefangJson)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Defang(s)),
        _ => node?.DeepClone(),
    };

    private static string Defang(string text) =>
        text.Replace('$', 'S').Replace("fn::", "fn--", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every reference (by what it names) and function call in a program, each with where it was found.</summary>
    private static (Dictionary<string, List<string>> Uses, List<string> SyntaxErrors) Uses(string programYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(programYaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var names = Declarations(root);
        var uses = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var errors = new List<string>();
        void Add(string what, string where)
        {
            if (!uses.TryGetValue(what, out var list)) uses[what] = list = [];
            list.Add(where);
        }
        void Visit(YamlNode node, string path)
        {
            switch (node)
            {
                case YamlScalarNode { Value: { } text }:
                    var read = InterpolatedString.Parse(text);
                    if (read.SyntaxError is { } error) errors.Add($"{path}: '{text}' is not valid Pulumi YAML text: {error}");
                    foreach (var reference in read.Interpolations) Add(Named(reference, names), $"{path}: {reference.Source}");
                    break;
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        var key = ((YamlScalarNode)k).Value ?? "";
                        if (key.StartsWith("fn::", StringComparison.OrdinalIgnoreCase)) Add($"function {key.ToLowerInvariant()}", path);
                        Visit(k, $"{path}.{key}");
                        Visit(v, path.Length == 0 ? key : $"{path}.{key}");
                    }
                    break;
                case YamlSequenceNode list:
                    for (var i = 0; i < list.Children.Count; i++) Visit(list.Children[i], $"{path}[{i}]");
                    break;
            }
        }
        Visit(root, "");
        return (uses, errors);
    }

    /// <summary>What each name the program declares is: a resource of some type, a variable, a config key.</summary>
    private static Dictionary<string, string> Declarations(YamlMappingNode root)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (section, kind) in new[] { ("config", "config"), ("variables", "variable") })
            if (root.Children.TryGetValue(new YamlScalarNode(section), out var node) && node is YamlMappingNode map)
                foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
                    names[key.Value!] = $"{kind} {key.Value}";
        if (root.Children.TryGetValue(new YamlScalarNode("resources"), out var resources) && resources is YamlMappingNode all)
            foreach (var (name, body) in all.Children)
                names[((YamlScalarNode)name).Value!] = $"resource {((YamlScalarNode)((YamlMappingNode)body)["type"]).Value}";
        return names;
    }

    private static string Named(Interpolation reference, Dictionary<string, string> names)
    {
        var what = names.GetValueOrDefault(reference.RootName) ?? $"undeclared {reference.RootName}";
        var accessors = string.Concat(reference.Path.Skip(1).Select(a => a.Name is { } n ? $".{n}" : $"[{a.Index}]"));
        return $"reference to {what}{accessors}";
    }
}
