using System.Globalization;
using System.Text.RegularExpressions;

namespace EsDr.Infra.Config;

/// <summary>
/// The Elasticsearch release line es-dr deploys: one definition for the config rule on
/// <c>elasticsearch.version</c> and its error, and for the APT repository every node installs from.
/// es-dr-recovery speaks to the clusters through Elastic.Clients.Elasticsearch 9.x, which sends
/// <c>Accept: application/vnd.elasticsearch+json; compatible-with=9</c>; an 8.x cluster answers that with 400.
/// </summary>
public static partial class ElasticsearchVersion
{
    /// <summary>The only major version es-dr deploys and recovers.</summary>
    public const int SupportedMajor = 9;

    /// <summary>The release the example stacks pin and errors suggest (the newest 9.x release confirmed, December 2026).</summary>
    public const string Example = "9.5.7";

    /// <summary>The release line as Elastic names it, e.g. in its APT repository path (<c>packages/9.x/apt</c>).</summary>
    public static string Line { get; } = $"{SupportedMajor}.x";

    /// <summary>True for an exact version (<c>9.5.7</c>: three numbers, no leading zeros) of the supported major.</summary>
    public static bool IsSupported(string version) => Major(version) == SupportedMajor;

    /// <summary>The major of an exact version <c>a.b.c</c>, or null when the text is not one.</summary>
    public static int? Major(string version)
    {
        var match = Exact().Match(version);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            ? major
            : null;
    }

    /// <summary>Why a version is refused: null for a supported one.</summary>
    public static string? Refusal(string version) => Major(version) switch
    {
        SupportedMajor => null,
        null => $"must be an exact Elasticsearch {Line} version such as {Example}, got '{version}'",
        var major => $"must be an exact Elasticsearch {Line} version such as {Example}, got '{version}': {WhyOnlyTheSupportedMajor(major.Value)}",
    };

    private static string WhyOnlyTheSupportedMajor(int major) => major < SupportedMajor
        ? $"es-dr-recovery speaks to the cluster through the {Line} .NET client, which {major}.x clusters refuse"
        : $"es-dr-recovery speaks to the cluster through the {Line} .NET client, which is not made for {major}.x clusters";

    [GeneratedRegex("^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$")]
    private static partial Regex Exact();
}
