using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Sql;

/// <summary>
/// A MySQL GTID set as the server prints it (<c>gtid_executed</c>): comma-separated source UUIDs, each followed by
/// colon-separated transaction intervals (<c>1-5:11</c>), with, from 8.3, tags in between that start a new group
/// (<c>uuid:1-5:batch:1-3</c>; a tag is a letter or underscore then up to 31 letters, digits or underscores, case
/// insensitive — WL#15294, https://dev.mysql.com/worklog/task/?id=15294). The server breaks lines after the commas.
/// Parsed only to ask whether one set contains another, as GTID_SUBSET does on the server.
/// </summary>
internal sealed partial class GtidSet
{
    private readonly SortedDictionary<string, List<(long First, long Last)>> _groups;

    private GtidSet(SortedDictionary<string, List<(long First, long Last)>> groups) => _groups = groups;

    public bool IsEmpty => _groups.Count == 0;

    public static GtidSet Parse(string text) =>
        TryParse(text, out var set) ? set : throw new FormatException($"not a GTID set: '{text}'");

    /// <summary>Empty or blank text is the empty set.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out GtidSet? set)
    {
        ArgumentNullException.ThrowIfNull(text);
        set = null;
        var groups = new SortedDictionary<string, List<(long, long)>>(StringComparer.Ordinal);
        foreach (var part in text.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (!TryAddUuidSet(part, groups)) return false;
        }
        foreach (var key in groups.Keys.ToList()) groups[key] = Merge(groups[key]);
        set = new GtidSet(groups);
        return true;
    }

    /// <summary>Whether every transaction of <paramref name="other"/> is in this set.</summary>
    public bool Contains(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (group, intervals) in other._groups)
        {
            if (!_groups.TryGetValue(group, out var mine)) return false;
            if (!intervals.All(i => mine.Any(m => m.First <= i.First && i.Last <= m.Last))) return false;
        }
        return true;
    }

    /// <summary>The canonical text: groups in order, each <c>uuid[:tag]:first-last…</c>, merged intervals.</summary>
    public override string ToString() => string.Join(',', _groups.Select(g => g.Key + string.Concat(g.Value.Select(Interval))));

    private static string Interval((long First, long Last) i) => i.First == i.Last
        ? ":" + i.First.ToString(CultureInfo.InvariantCulture)
        : $":{i.First.ToString(CultureInfo.InvariantCulture)}-{i.Last.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><c>uuid:interval…[:tag:interval…]…</c> into the groups it names (<c>uuid</c> and <c>uuid:tag</c>).</summary>
    private static bool TryAddUuidSet(string text, SortedDictionary<string, List<(long, long)>> groups)
    {
        var tokens = text.Split(':');
        if (!Guid.TryParseExact(tokens[0], "D", out var uuid) || tokens.Length < 2) return false;
        var group = uuid.ToString("D");
        var sawInterval = false;
        foreach (var token in tokens.Skip(1))
        {
            if (Tag().IsMatch(token))
            {
                if (!sawInterval && group.Contains(':', StringComparison.Ordinal)) return false; // a tag with no interval
                group = $"{uuid:D}:{token.ToLowerInvariant()}";
                sawInterval = false;
                continue;
            }
            if (!TryInterval(token, out var interval)) return false;
            if (!groups.TryGetValue(group, out var list)) groups[group] = list = [];
            list.Add(interval);
            sawInterval = true;
        }
        return sawInterval;
    }

    private static bool TryInterval(string token, out (long First, long Last) interval)
    {
        interval = default;
        var bounds = token.Split('-');
        if (bounds.Length > 2 || !long.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return false;
        var last = first;
        if (bounds.Length == 2 && !long.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out last)) return false;
        if (first < 1 || last < first) return false;
        interval = (first, last);
        return true;
    }

    /// <summary>Sorted, with touching or overlapping intervals joined, so containment is one interval inside another.</summary>
    private static List<(long First, long Last)> Merge(List<(long First, long Last)> intervals)
    {
        var merged = new List<(long First, long Last)>();
        foreach (var i in intervals.OrderBy(i => i.First))
        {
            if (merged.Count > 0 && i.First <= merged[^1].Last + 1)
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, i.Last));
            else
                merged.Add(i);
        }
        return merged;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();
}
