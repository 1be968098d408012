using System.Globalization;
using System.Text.Json.Nodes;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Operate;

/// <summary>A region where a recovery ran lately: another is held back until <see cref="Until"/> or an acknowledgement.</summary>
internal sealed record BlockedRegion(string Region, string RecoveryId, DateTimeOffset Until);

/// <summary>
/// What stands between a diagnosis and an action, as <c>status</c> shows it: the pause (and why), the regions still in
/// a block period, and the operators' latest interventions. Read from the audit database, which every process shares.
/// </summary>
internal sealed record RecoveryControls(string? Pause, IReadOnlyList<BlockedRegion> Blocked, IReadOnlyList<Intervention> Recent)
{
    /// <summary>How many interventions <c>status</c> lists.</summary>
    public const int RecentShown = 5;

    public static RecoveryControls None { get; } = new(null, [], []);

    /// <summary>
    /// Reads the controls for <paramref name="regions"/> at <paramref name="now"/>. A database that does not exist yet
    /// means nothing ever ran or paused: only the pause file can pause, and the file is not created by looking.
    /// </summary>
    public static RecoveryControls Read(string auditPath, PipelineOptions options, IEnumerable<string> regions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(regions);
        if (!File.Exists(auditPath))
            return options.PauseFile is { } file && File.Exists(file) ? None with { Pause = $"paused: {file} exists" } : None;
        using var interventions = Interventions.Open(auditPath);
        using var blocks = BlockPeriods.Open(auditPath);
        var blocked = regions
            .Select(r => (Region: r, Latest: blocks.Latest(r)))
            .Where(b => b.Latest is { } latest && latest.At + options.BlockPeriod > now)
            .Select(b => new BlockedRegion(b.Region, b.Latest!.RecoveryId, b.Latest.At + options.BlockPeriod))
            .ToList();
        return new RecoveryControls(PauseState.Reason(options.PauseFile, interventions), blocked, interventions.Recent(RecentShown));
    }

    /// <summary>The plain lines (shared by <c>status</c>'s text and its terminal table).</summary>
    public IEnumerable<string> Lines()
    {
        yield return Pause is { } pause ? $"recovery   PAUSED: {pause}" : "recovery   may act (not paused)";
        foreach (var b in Blocked)
            yield return $"  blocked  {b.Region} until {Time(b.Until)} (after {b.RecoveryId}; es-dr-recovery ack {b.Region} lifts it)";
        foreach (var i in Recent)
            yield return $"  {Time(i.At)}  {Interventions.Name(i.Kind)}{(i.Region is null ? "" : " " + i.Region)} by {i.By}"
                + (i.Text is { Length: > 0 } text ? $": {text}" : "");
    }

    public JsonObject ToJson() => new()
    {
        ["paused"] = Pause is not null,
        ["pauseReason"] = Pause,
        ["blocked"] = new JsonArray([.. Blocked.Select(b => (JsonNode)new JsonObject
        {
            ["region"] = b.Region, ["recoveryId"] = b.RecoveryId, ["until"] = Iso(b.Until),
        })]),
        ["interventions"] = new JsonArray([.. Recent.Select(i => (JsonNode)new JsonObject
        {
            ["at"] = Iso(i.At), ["kind"] = Interventions.Name(i.Kind), ["region"] = i.Region, ["recoveryId"] = i.RecoveryId,
            ["text"] = i.Text, ["by"] = i.By,
        })]),
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
