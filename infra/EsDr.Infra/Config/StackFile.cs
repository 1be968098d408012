using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Config;

/// <summary>
/// Reads a <c>Pulumi.&lt;stack&gt;.yaml</c> file into the flat form Pulumi hands the compiler in
/// <c>PULUMI_CONFIG</c>: keys <c>"project:key"</c>, scalar values as strings, structured values as JSON
/// text. Offline there is no key to decrypt <c>secure:</c> values, so they become a placeholder and their
/// keys are reported as secret, exactly as Pulumi reports them.
/// </summary>
public sealed record StackFile(string Stack, IReadOnlyDictionary<string, string> Config, IReadOnlyList<string> SecretKeys)
{
    public const string SecretPlaceholder = "[secret]";

    public static StackFile Load(string path, string project)
    {
        var fileName = Path.GetFileName(path);
        var stack = fileName.StartsWith("Pulumi.", StringComparison.Ordinal) && fileName.EndsWith(".yaml", StringComparison.Ordinal)
            ? fileName["Pulumi.".Length..^".yaml".Length]
            : Path.GetFileNameWithoutExtension(fileName);
        return Parse(File.ReadAllText(path), stack, project, fileName);
    }

    public static StackFile Parse(string yaml, string stack, string project, string source = "stack file")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidConfigException([new ConfigError(source, $"is not valid YAML: {e.Message}")]);
        }
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new List<string>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new StackFile(stack, config, secrets);
        if (!root.Children.TryGetValue(new YamlScalarNode("config"), out var node) || node is not YamlMappingNode map)
            return new StackFile(stack, config, secrets);

        foreach (var (k, v) in map.Children)
        {
            var raw = ((YamlScalarNode)k).Value ?? "";
            var key = raw.Contains(':', StringComparison.Ordinal) ? raw : $"{project}:{raw}";
            var secret = false;
            var json = ToJson(v, ref secret);
            if (secret) secrets.Add(key);
            config[key] = json switch
            {
                JsonValue s when s.TryGetValue<string>(out var text) => text,
                null => "",
                _ when json is JsonObject or JsonArray => json.ToJsonString(),
                _ => json.ToJsonString(),
            };
        }
        return new StackFile(stack, config, secrets);
    }

    private static JsonNode? ToJson(YamlNode node, ref bool secret)
    {
        switch (node)
        {
            case YamlMappingNode m when m.Children.Count == 1 && m.Children.Keys.First() is YamlScalarNode { Value: "secure" }:
                secret = true;
                return JsonValue.Create(SecretPlaceholder);
            case YamlMappingNode m:
                var obj = new JsonObject();
                foreach (var (k, v) in m.Children) obj[((YamlScalarNode)k).Value ?? ""] = ToJson(v, ref secret);
                return obj;
            case YamlSequenceNode s:
                var arr = new JsonArray();
                foreach (var item in s.Children) arr.Add(ToJson(item, ref secret));
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    /// <summary>Plain scalars keep their YAML type (3 is a number, true a boolean); quoted ones are strings.</summary>
    private static JsonValue? Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (text is "true" or "false") return JsonValue.Create(text == "true");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (text is "" or "~" or "null") return null;
        return JsonValue.Create(text);
    }
}
