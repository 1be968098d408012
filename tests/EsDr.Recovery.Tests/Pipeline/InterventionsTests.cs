using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Tests.Pipeline;

/// <summary>The operators' interventions on a real SQLite file: the pause is the latest pause or resume, and a reopened file knows it.</summary>
public sealed class InterventionsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-interventions-").FullName;
    private string AuditPath => Path.Combine(dir, "audit.db");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Paused_IsTheLatestPause_UntilAResumeFollowsIt()
    {
        using var interventions = Interventions.Open(AuditPath);
        Assert.Null(interventions.Paused());

        interventions.Record(new Intervention(T0, InterventionKind.Pause, null, "change freeze", "ana"));
        Assert.Equal(new PauseRecord(T0, "ana", "change freeze"), interventions.Paused());

        interventions.Record(new Intervention(T0.AddMinutes(5), InterventionKind.Acknowledge, "fra", "checked", "ben") { RecoveryId = "rec-1" });
        Assert.NotNull(interventions.Paused());

        interventions.Record(new Intervention(T0.AddMinutes(9), InterventionKind.Resume, null, null, "ben"));
        Assert.Null(interventions.Paused());
    }

    [Fact]
    public void APause_SurvivesAReopen_AsAnotherProcessOrARestartedDaemonSeesIt()
    {
        using (var first = Interventions.Open(AuditPath))
            first.Record(new Intervention(T0, InterventionKind.Pause, null, "db maintenance", "ana"));

        using var reopened = Interventions.Open(AuditPath);

        Assert.Equal("db maintenance", reopened.Paused()?.Reason);
        Assert.StartsWith("paused by ana at 2026-03-01 12:00:00Z (db maintenance)", reopened.Paused()!.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Recent_ListsNewestFirst_WithTheRecoveryAnAcknowledgementLifted()
    {
        using var interventions = Interventions.Open(AuditPath);
        interventions.Record(new Intervention(T0, InterventionKind.Pause, null, "a", "ana"));
        interventions.Record(new Intervention(T0.AddMinutes(1), InterventionKind.Acknowledge, "dub", "b", "ben") { RecoveryId = "rec-7" });

        var recent = interventions.Recent(5);

        Assert.Equal([InterventionKind.Acknowledge, InterventionKind.Pause], recent.Select(i => i.Kind));
        Assert.Equal(("dub", "rec-7", "ben"), (recent[0].Region, recent[0].RecoveryId, recent[0].By));
        Assert.Single(interventions.Recent(1));
    }

    [Fact]
    public void PauseState_NamesThePauseFileFirst_ThenTheStoredPause()
    {
        using var interventions = Interventions.Open(AuditPath);
        var file = Path.Combine(dir, "paused");
        Assert.Null(PauseState.Reason(file, interventions));

        interventions.Record(new Intervention(T0, InterventionKind.Pause, null, null, "ana"));
        Assert.StartsWith("paused by ana", PauseState.Reason(file, interventions), StringComparison.Ordinal);

        File.WriteAllText(file, "");
        Assert.Equal($"paused: {file} exists", PauseState.Reason(file, interventions));
    }
}
