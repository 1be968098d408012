using System.Collections.Specialized;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Tests.Support;

/// <summary>
/// What a real Elasticsearch 9.x server puts around every answer, for the tests' stand-ins: the
/// <c>X-Elastic-Product: Elasticsearch</c> header the official client's product check requires, and the content
/// type matching the request's compatibility header (the 9.x client asks for
/// <c>application/vnd.elasticsearch+json; compatible-with=9</c>). A request asking for a compatibility version a
/// 9.x server does not serve (only 8 and 9) is refused with 400, as the server does.
/// </summary>
internal static partial class ElasticsearchWire
{
    public const string ProductHeader = "X-Elastic-Product";
    public const string Product = "Elasticsearch";

    /// <summary>The content type to answer with, or null when the Accept header asks for a version 9.x refuses.</summary>
    public static string? ContentTypeFor(string? accept)
    {
        if (accept is null) return "application/json";
        var m = Compatible().Match(accept);
        if (!m.Success) return "application/json";
        return m.Groups["v"].Value is "8" or "9" ? $"application/vnd.elasticsearch+json;compatible-with={m.Groups["v"].Value}" : null;
    }

    /// <summary>The error body a 9.x server answers for an unsupported compatibility version.</summary>
    public static string MediaTypeError(string accept) => new System.Text.Json.Nodes.JsonObject
    {
        ["error"] = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "media_type_header_exception",
            ["reason"] = "Invalid media-type value on headers [Accept]",
            ["caused_by"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "status_exception",
                ["reason"] = $"A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version. Accept={accept}",
            },
        },
        ["status"] = 400,
    }.ToJsonString();

    /// <summary>The compatibility version the request asked for ("9"), or null.</summary>
    public static string? CompatibleWith(NameValueCollection headers)
    {
        var m = Compatible().Match(headers["Accept"] ?? "");
        return m.Success ? m.Groups["v"].Value : null;
    }

    [GeneratedRegex(@"compatible-with=(?<v>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex Compatible();
}
