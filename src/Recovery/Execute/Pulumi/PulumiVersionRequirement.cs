using System.Globalization;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>
/// The oldest <c>pulumi</c> CLI that has every flag recovery's commands use. Each need names the release that
/// brought the flag: the first pulumi/pulumi tag whose cobra definitions have it.
/// </summary>
internal static partial class PulumiVersionRequirement
{
    /// <summary>A flag recovery uses and the first CLI release that has it.</summary>
    internal sealed record Need(Version Since, string Flag, string Change);

    public static IReadOnlyList<Need> Needs { get; } =
    [
        // config/config.go newConfigSetCmd: the "type" flag (pulumi/pulumi#18287, commit 6c1cac30b8).
        new(new Version(3, 148, 0), "pulumi config set --type", "pulumi/pulumi#18287"),
        // operations/up.go NewUpCmd: the "exclude" flag (pulumi/pulumi#18828, commit 7758566b6f).
        new(new Version(3, 158, 0), "pulumi up --exclude", "pulumi/pulumi#18828"),
    ];

    public static Version Minimum { get; } = Needs.Max(n => n.Since)!;

    /// <summary>Asks the CLI its version; throws <see cref="PulumiTooOldException"/> naming the minimum when it is older or unreadable.</summary>
    public static async Task EnsureAsync(IPulumiCli cli, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var printed = await cli.VersionAsync(cancellationToken).ConfigureAwait(false);
        var found = Parse(printed);
        if (found is not null && found >= Minimum) return;
        var missing = Needs.Where(n => found is null || found < n.Since).Select(n => $"{n.Flag} since v{n.Since}");
        var what = found is null ? $"'pulumi version' printed '{printed}', not a version" : $"pulumi v{found} is too old";
        throw new PulumiTooOldException(
            $"{what}: recovery needs v{Minimum} or newer ({string.Join(", ", missing)}); upgrade the Pulumi CLI. Nothing was changed.");
    }

    /// <summary><c>v3.259.0</c> or <c>3.259.0</c>, with any pre-release or build suffix ignored; null when no version is printed.</summary>
    internal static Version? Parse(string printed)
    {
        var m = VersionPattern().Match(printed ?? "");
        return m.Success
            ? new Version(Int(m.Groups[1].Value), Int(m.Groups[2].Value), Int(m.Groups[3].Value))
            : null;
    }

    private static int Int(string digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:[-+].*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
