using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>
/// What text a config value may hold, checked on every key and string before any value is read: single lines of
/// printable text. Refused: C0 controls (tab and newline too, outside file content), DEL, C1 controls (NEL among
/// them), the line and paragraph separators U+2028/U+2029 (YAML 1.1 and JavaScript read them as line breaks), the
/// byte order mark U+FEFF and the noncharacters U+FFFE/U+FFFF (no YAML document may carry them as text), and lone
/// surrogates (not Unicode at all). Inside <c>application.cloudConfig</c>, which holds file contents and scripts,
/// tabs and newlines are text too. Structured values are parsed strictly: a key given twice is refused.
/// </summary>
internal static class ConfigText
{
    private const string SingleLine = "config strings are single lines of printable text";
    private const string FileContent = "cloud-config strings are printable text, tabs and newlines";
    private const string LoneSurrogate = "is not valid UTF-16 text (a lone surrogate)";

    /// <summary>Parses a structured value (JSON text) strictly, reporting every problem of its text at its key path.</summary>
    public static JsonNode? ParseStructured(string key, string raw, List<ConfigError> errors)
    {
        // A lone surrogate in the text itself (not an escape) cannot even be transcoded for the JSON reader.
        if (FirstNonPrintable(raw, allowLineBreaks: true) is LoneSurrogate)
        {
            errors.Add(new ConfigError(key, LoneSurrogate));
            return null;
        }
        var options = new JsonDocumentOptions { AllowDuplicateProperties = false };
        try
        {
            using var document = JsonDocument.Parse(raw, options);
            var before = errors.Count;
            Check(key, document.RootElement, FileContentUnder(key), errors);
            return errors.Count > before ? null : JsonNode.Parse(raw, documentOptions: options);
        }
        catch (JsonException e)
        {
            errors.Add(new ConfigError(key, $"is not valid structured config: {e.Message}"));
            return null;
        }
    }

    /// <summary>A plain (unstructured) value: one string.</summary>
    public static JsonNode Plain(string key, string raw, List<ConfigError> errors)
    {
        if (Problem(raw, fileContent: false) is { } problem) errors.Add(new ConfigError(key, problem));
        return JsonValue.Create(raw);
    }

    private static void Check(string path, JsonElement element, Func<string, bool> fileContent, List<ConfigError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Read(() => property.Name) is not { } name)
                    {
                        errors.Add(new ConfigError(path, $"has a key that {LoneSurrogate}"));
                        continue;
                    }
                    var child = $"{path}.{Escape(name)}";
                    if (Problem(name, fileContent: false) is { } problem) errors.Add(new ConfigError(child, $"the key {problem}"));
                    Check(child, property.Value, fileContent, errors);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Check($"{path}[{i++}]", item, fileContent, errors);
                break;
            case JsonValueKind.String:
                if (Read(() => element.GetString()!) is not { } text) errors.Add(new ConfigError(path, LoneSurrogate));
                else if (Problem(text, fileContent(path)) is { } problem) errors.Add(new ConfigError(path, problem));
                break;
        }
    }

    /// <summary>Whether the value at a path is file content (the application's own cloud-config).</summary>
    private static Func<string, bool> FileContentUnder(string key)
    {
        var cloudConfig = $"{key}.cloudConfig";
        var isApplication = key.EndsWith(":application", StringComparison.Ordinal);
        return path => isApplication && (path.StartsWith(cloudConfig + ".", StringComparison.Ordinal) || path.StartsWith(cloudConfig + "[", StringComparison.Ordinal));
    }

    /// <summary>Why the text may not be a config string, or null when it may.</summary>
    private static string? Problem(string text, bool fileContent) => FirstNonPrintable(text, fileContent) switch
    {
        null => null,
        LoneSurrogate => LoneSurrogate,
        var c => $"holds the non-printable character {c}; {(fileContent ? FileContent : SingleLine)}",
    };

    /// <summary>The first character refused (as U+XXXX), the lone surrogate marker, or null.</summary>
    private static string? FirstNonPrintable(string text, bool allowLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return LoneSurrogate;
            else if (allowLineBreaks && c is '\t' or '\n') continue;
            else if (IsRefused(c)) return string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");
        }
        return null;
    }

    private static bool IsRefused(char c) =>
        c < ' ' || c is >= '\u007f' and <= '\u009f' or '\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff';

    /// <summary>Text as it may be shown in a message: every refused character (and lone surrogate) as <c>\uXXXX</c>.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(c => IsRefused(c) || char.IsSurrogate(c))) return text;
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) escaped.Append(c).Append(text[++i]);
            else if (IsRefused(c) || char.IsSurrogate(c)) escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static string? Read(Func<string> read)
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
}
