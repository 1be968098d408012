using System.Globalization;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Operate.Terminal;

/// <summary>
/// How far a running <c>pulumi up</c> is, read from the lines it prints with <c>--non-interactive</c>: one line per
/// resource event, e.g. <c> +  linode:index/instance:Instance prod-fra-es-2 creating (3s)</c>, then the same
/// resource <c>created (41s)</c>. Counts each resource by its latest event; everything else (headers, the summary)
/// only becomes the latest line.
/// </summary>
internal sealed partial class PulumiUpProgress
{
    private const int MaxLatest = 120;

    private readonly Dictionary<string, ResourcePhase> resources = new(StringComparer.Ordinal);

    private enum ResourcePhase { Running, Done, Failed }

    /// <summary>The last non-blank line pulumi printed, cut to fit a terminal line.</summary>
    public string? Latest { get; private set; }

    public int Done => Count(ResourcePhase.Done);
    public int Running => Count(ResourcePhase.Running);
    public int Failed => Count(ResourcePhase.Failed);

    public void Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim();
        if (trimmed.Length == 0) return;
        Latest = trimmed.Length <= MaxLatest ? trimmed : trimmed[..MaxLatest] + "…";
        var match = ResourceEvent().Match(line);
        if (!match.Success) return;
        var key = match.Groups["type"].Value + " " + match.Groups["name"].Value;
        resources[key] = PhaseOf(match.Groups["status"].Value);
    }

    /// <summary>One line for the display, e.g. <c>pulumi up: 3 done, 1 in progress · latest: …</c>; null before any output.</summary>
    public string? Summary()
    {
        if (Latest is null) return null;
        var counts = string.Create(CultureInfo.InvariantCulture, $"{Done} done, {Running} in progress{(Failed > 0 ? $", {Failed} failed" : "")}");
        return $"pulumi: {counts} · {Latest}";
    }

    // "creating failed", "updating failed" → failed; "creating", "deleting original" → running; the past tenses → done.
    private static ResourcePhase PhaseOf(string status) =>
        status.Contains("failed", StringComparison.Ordinal) ? ResourcePhase.Failed
        : status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0].EndsWith("ing", StringComparison.Ordinal) ? ResourcePhase.Running
        : ResourcePhase.Done;

    private int Count(ResourcePhase phase) => resources.Values.Count(p => p == phase);

    // An operation symbol (+, ~, -, +-, ++, --, …), a type token with a colon (pulumi:pulumi:Stack,
    // linode:index/instance:Instance), the resource's name, then its status words up to "(12s)" or the end.
    [GeneratedRegex(@"^\s*[+~\-<=>]{0,2}\s+(?<type>[A-Za-z0-9_.\-]+:[^\s]+)\s+(?<name>\S+)\s+(?<status>[a-z]+(?: [a-z]+)*)(?:\s|$)")]
    private static partial Regex ResourceEvent();
}
