using System.Text.Encodings.Web;
using System.Text.Json;

namespace EsDr.Recovery.Operate;

/// <summary>
/// How every <c>--json</c> output is written: for a terminal or a log pipeline, not an HTML page, so <c>+</c> in a
/// timestamp's offset stays <c>+00:00</c> (the default encoder writes <c>\u002B</c>). Quotes, backslashes and control
/// characters are still escaped, so each document stays valid JSON.
/// </summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Lines { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
