using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>
/// Removes secrets from text before it is written anywhere durable: every value given as a known secret
/// (passwords, tokens from the stack config), plus anything that looks like one — <c>password=…</c>,
/// <c>"password":"…"</c>, an <c>Authorization:</c> header, <c>IDENTIFIED BY '…'</c>, credentials in a URL.
/// </summary>
internal sealed class Redactor
{
    public const string Mask = "[redacted]";

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static readonly (Regex Pattern, string Replacement)[] Patterns =
    [
        // Authorization: Bearer …, Authorization: Basic … (to the end of the line)
        (new Regex(@"(\b(?:proxy-)?authorization\s*[:=]\s*)[^\r\n]+", Options, Timeout), "$1" + Mask),
        // MySQL: IDENTIFIED BY '…', IDENTIFIED WITH plugin BY '…', IDENTIFIED BY PASSWORD '…'
        (new Regex(@"(\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?)('(?:[^'\\]|\\.|'')*'|""(?:[^""\\]|\\.)*""|\S+)", Options, Timeout), "$1'" + Mask + "'"),
        // password=…, MASTER_PASSWORD = '…', "password": "…", token: …, api_key=…, secret=…
        (new Regex(@"((?:password|passwd|pwd|secret|token|api[_-]?key)[""']?\s*[=:]\s*)(""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.|'')*'|[^\s&;,}""']+)", Options, Timeout), "$1\"" + Mask + "\""),
        // --password value / --token value on a command line
        (new Regex(@"(--(?:password|token|secret|api-key)\s+)(\S+)", Options, Timeout), "$1" + Mask),
        // scheme://user:password@host
        (new Regex(@"(\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@", Options, Timeout), "$1" + Mask + "@"),
    ];

    private readonly string[] secrets;

    public Redactor(IEnumerable<string> knownSecrets)
    {
        ArgumentNullException.ThrowIfNull(knownSecrets);
        // Longest first, so a secret that contains another is removed whole. Each also as JSON writes it: a password
        // with a quote, a backslash, '+' or '&' reaches JSON text escaped, where the plain form would not match.
        secrets = knownSecrets.Where(s => !string.IsNullOrEmpty(s)).SelectMany(AsWritten).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();
    }

    private static IEnumerable<string> AsWritten(string secret) =>
    [
        secret,
        JsonEncodedText.Encode(secret).ToString(),
        JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
    ];

    public static Redactor None { get; } = new([]);

    /// <summary>The text with every known secret and secret-looking value replaced by <see cref="Mask"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets)
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        foreach (var (pattern, replacement) in Patterns)
            text = pattern.Replace(text, replacement);
        return text;
    }

    public string? RedactOptional(string? text) => text is null ? null : Redact(text);
}
