using System.Text.Json;
using EsDr.Infra.Config;

namespace EsDr.Compiler;

/// <summary>
/// Reads <c>PULUMI_CONFIG</c> (a JSON object of strings) and <c>PULUMI_CONFIG_SECRET_KEYS</c> (a JSON list of strings)
/// strictly: a key given twice, a value that is not a string and text that is not valid UTF-16 (a lone surrogate
/// escape such as <c>\ud800</c>) are each refused naming the key, instead of the last one silently winning or the
/// reader throwing.
/// </summary>
internal static class PulumiConfigVariables
{
    public const string Config = "PULUMI_CONFIG";
    public const string SecretKeys = "PULUMI_CONFIG_SECRET_KEYS";

    /// <exception cref="InvalidConfigException">Every problem, each naming the key (or the variable).</exception>
    public static Dictionary<string, string> ReadConfig(string json)
    {
        var errors = new List<ConfigError>();
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = Parse(Config, json, JsonValueKind.Object, "a JSON object of strings");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (Text(() => property.Name) is not { } key)
            {
                errors.Add(new ConfigError(Config, "has a key that is not valid UTF-16 text (a lone surrogate)"));
                continue;
            }
            if (config.ContainsKey(key)) errors.Add(new ConfigError(key, $"is given twice in {Config}"));
            else if (property.Value.ValueKind != JsonValueKind.String) errors.Add(new ConfigError(key, $"must be a string in {Config}, got {Kind(property.Value)}"));
            else if (Text(() => property.Value.GetString()!) is { } value) config[key] = value;
            else errors.Add(new ConfigError(key, "is not valid UTF-16 text (a lone surrogate)"));
        }
        return errors.Count > 0 ? throw new InvalidConfigException(errors) : config;
    }

    /// <exception cref="InvalidConfigException">Not a list of strings, each valid UTF-16.</exception>
    public static List<string> ReadSecretKeys(string json)
    {
        using var document = Parse(SecretKeys, json, JsonValueKind.Array, "a JSON list of strings");
        var keys = new List<string>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || Text(() => item.GetString()!) is not { } key)
                throw new InvalidConfigException([new ConfigError(SecretKeys, "is not a JSON list of strings of valid UTF-16 text")]);
            keys.Add(key);
        }
        return keys;
    }

    private static JsonDocument Parse(string variable, string json, JsonValueKind kind, string expected)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException([new ConfigError(variable, $"is not {expected}: {e.Message}")]);
        }
        if (document.RootElement.ValueKind == kind) return document;
        var got = Kind(document.RootElement);
        document.Dispose();
        throw new InvalidConfigException([new ConfigError(variable, $"is not {expected}, got {got}")]);
    }

    /// <summary>The text, or null where the JSON escapes do not make valid UTF-16 (the reader throws then).</summary>
    private static string? Text(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "a string",
    };
}
