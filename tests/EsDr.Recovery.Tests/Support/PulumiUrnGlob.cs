using System.Text.RegularExpressions;

namespace EsDr.Recovery.Tests.Support;

/// <summary>
/// Which URNs a <c>--target</c>/<c>--exclude</c> argument selects, as the CLI documents it ("Wildcards (*, **) are
/// also supported") and pulumi v3.259 implements it (pkg/resource/deploy/deployment.go: <c>NewUrnTargets</c> treats
/// an argument holding <c>*</c> as a glob, anything else as a literal URN; <c>UrnTargets.getMatcher</c> splits the
/// glob on <c>**</c> (any text), each part on <c>*</c> (any text but <c>:</c>), quotes the rest, anchors both ends).
/// </summary>
internal static class PulumiUrnGlob
{
    public static bool Matches(string argument, string urn)
    {
        if (!argument.Contains('*', StringComparison.Ordinal)) return argument == urn;
        var segments = argument.Split("**").Select(s => string.Join("[^:]*", s.Split('*').Select(Regex.Escape)));
        // Go's ^…$ without the multi-line flag: start and end of the text.
        return Regex.IsMatch(urn, @"\A" + string.Join(".*", segments) + @"\z", RegexOptions.CultureInvariant);
    }
}
