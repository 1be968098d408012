using System.Text.RegularExpressions;

namespace EsDr.Infra.Config;

/// <summary>
/// The index patterns cross-cluster replication accepts (<c>replication.indexPatterns</c>): one definition for the
/// config rule that refuses a pattern and the recovery program's set-up that sends it in an auto-follow pattern.
/// Lower case, <c>*</c> wildcards, no leading <c>-</c>, <c>_</c> or <c>.</c>, no commas or spaces.
/// </summary>
public static partial class IndexPattern
{
    public static bool IsValid(string pattern) => Syntax().IsMatch(pattern);

    [GeneratedRegex(@"^[a-z0-9*][a-z0-9*._+-]*$")]
    private static partial Regex Syntax();
}
