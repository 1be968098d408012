using System.Text.Json.Nodes;

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

    /// <exception cref="ConfigFileUnreadableException">The file does not exist, is not a regular file or cannot be read.</exception>
    /// <exception cref="InvalidConfigException">The file is too large, not YAML, or beyond a limit of <see cref="StackFileLimits"/>.</exception>
    public static StackFile Load(string path, string project)
    {
        var fileName = Path.GetFileName(path);
        var stack = fileName.StartsWith("Pulumi.", StringComparison.Ordinal) && fileName.EndsWith(".yaml", StringComparison.Ordinal)
            ? fileName["Pulumi.".Length..^".yaml".Length]
            : Path.GetFileNameWithoutExtension(fileName);
        return Parse(ConfigFileText.Read(path, "stack file"), stack, project, fileName);
    }

    public static StackFile Parse(string yaml, string stack, string project, string source = "stack file")
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new List<string>();
        if (ConfigYaml.Read(yaml, source) is not JsonObject root || root["config"] is not JsonObject map)
            return new StackFile(stack, config, secrets);

        foreach (var (raw, v) in map)
        {
            var key = raw.Contains(':', StringComparison.Ordinal) ? raw : $"{project}:{raw}";
            if (config.ContainsKey(key))
                throw new InvalidConfigException([new ConfigError(key, $"is given twice in {source} (with and without its '{project}:' prefix)")]);
            var secret = false;
            var json = WithoutSecureValues(v, ref secret);
            if (secret) secrets.Add(key);
            config[key] = json switch
            {
                JsonValue s when s.TryGetValue<string>(out var text) => text,
                null => "",
                _ => json.ToJsonString(),
            };
        }
        return new StackFile(stack, config, secrets);
    }

    /// <summary>Every <c>secure:</c> value, however deep, becomes the placeholder, as Pulumi reports it without the key.</summary>
    private static JsonNode? WithoutSecureValues(JsonNode? node, ref bool secret)
    {
        if (IsSecure(node))
        {
            secret = true;
            return JsonValue.Create(SecretPlaceholder);
        }
        switch (node)
        {
            case JsonObject m:
                foreach (var key in m.Select(kv => kv.Key).ToList())
                    if (IsSecure(m[key])) m[key] = WithoutSecureValues(m[key], ref secret);
                    else WithoutSecureValues(m[key], ref secret);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (IsSecure(a[i])) a[i] = WithoutSecureValues(a[i], ref secret);
                    else WithoutSecureValues(a[i], ref secret);
                break;
        }
        return node;
    }

    private static bool IsSecure(JsonNode? node) => node is JsonObject { Count: 1 } m && m.ContainsKey("secure");
}
