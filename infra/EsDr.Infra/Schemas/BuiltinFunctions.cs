using System.Text.RegularExpressions;

namespace EsDr.Infra.Schemas;

/// <summary>The <c>fn::</c> functions Pulumi YAML knows, spelled as it documents them.</summary>
internal static partial class BuiltinFunctions
{
    public const string Prefix = "fn::";

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "fn::invoke", "fn::join", "fn::split", "fn::select", "fn::toJSON", "fn::toBase64", "fn::fromBase64",
        "fn::secret", "fn::unsecret", "fn::readFile", "fn::filebase64", "fn::filebase64sha256", "fn::sha1",
        "fn::length", "fn::singleOrNone", "fn::pulumiResourceName", "fn::pulumiResourceType", "fn::stackReference",
        "fn::stringAsset", "fn::fileAsset", "fn::remoteAsset", "fn::fileArchive", "fn::remoteArchive", "fn::assetArchive",
    };

    public static bool LooksLikeFunction(string key) => key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="key"/> is a known function (or the <c>fn::pkg:module:name</c> invoke shorthand); else why not.</summary>
    public static string? Problem(string key)
    {
        if (Names.Contains(key) || InvokeShorthand().IsMatch(key))
        {
            return null;
        }

        var sameLetters = Names.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
        return sameLetters is not null
            ? $"function '{key}' must be written '{sameLetters}'"
            : $"unknown function '{key}'" + NameSuggestion.Hint(key, Names);
    }

    /// <summary><c>fn::linode:index:getProfile</c> calls that function, like <c>fn::invoke</c>.</summary>
    [GeneratedRegex("^fn::[^:]+:[^:]+(:[^:]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex InvokeShorthand();
}
