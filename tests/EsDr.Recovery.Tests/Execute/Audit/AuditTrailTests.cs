using System.Text;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Execute.Runner;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Tests.Execute.Audit;

public sealed class AuditTrailTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 12, 34, TimeSpan.Zero);
    private readonly TempDatabase db = new();

    public void Dispose() => db.Dispose();

    [Fact]
    public void Opening_creates_the_schema_in_wal_mode()
    {
        using (AuditTrail.Open(db.Path, Redactor.None)) { }

        using var connection = new SqliteConnection($"Data Source={db.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)";
        Assert.Equal("recoveries,steps", command.ExecuteScalar());
    }

    [Fact]
    public void Recovery_ids_carry_the_utc_start_time_and_a_random_suffix()
    {
        var time = new ManualTime(Start);

        var a = RecoveryId.New(time);
        var b = RecoveryId.New(time);

        Assert.Matches("^rec-20261122-001234-[0-9a-f]{6}$", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task History_lists_recoveries_newest_first_with_their_steps_and_statuses()
    {
        var time = new ManualTime(Start);
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        var world = new FakeWorld(time) { Detail = "ok" };
        var executor = new RecoveryExecutor(audit, world, time);

        var first = await executor.RunAsync(FakeWorld.Plan(3), RecoveryTrigger.Webhook);
        time.Advance(TimeSpan.FromMinutes(5));
        world.FailAt = 1;
        var second = await executor.RunAsync(FakeWorld.Plan(3), RecoveryTrigger.Operator);
        time.Advance(TimeSpan.FromMinutes(5));
        var vetoed = executor.RecordVeto(FakeWorld.Plan(2), RecoveryTrigger.Timer, "lag 45s over the 30s limit");

        var history = audit.History(10);
        Assert.Equal([vetoed.RecoveryId, second.RecoveryId, first.RecoveryId], history.Select(r => r.Id));

        var ok = history[2];
        Assert.Equal((RecoveryStatus.Succeeded, RecoveryTrigger.Webhook, "RegionFailover", "fail over fra to dub"), (ok.Status, ok.Trigger, ok.Kind, ok.Summary));
        Assert.Equal(Start, ok.StartedAt);
        Assert.Equal(Start.AddSeconds(3), ok.FinishedAt);
        Assert.All(ok.Steps, s => Assert.Equal((StepStatus.Succeeded, "ok", 1), (s.Status, s.Detail, s.Attempts)));
        Assert.Equal(["[mysql dub] SET k0 = 'v0'", "[mysql dub] SET k1 = 'v1'", "[mysql dub] SET k2 = 'v2'"], ok.Steps.Select(s => s.Rendered));
        Assert.Equal(Start.AddSeconds(1), ok.Steps[0].FinishedAt);

        var failed = history[1];
        Assert.Equal(RecoveryStatus.Failed, failed.Status);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Failed], failed.Steps.Select(s => s.Status));
        Assert.Equal("step 1 failed: server said no", failed.Steps[1].Detail);

        Assert.Equal(RecoveryStatus.Vetoed, history[0].Status);
        Assert.All(history[0].Steps, s => Assert.Equal((StepStatus.Skipped, "lag 45s over the 30s limit"), (s.Status, s.Detail)));

        Assert.Single(audit.History(1));
        Assert.Equivalent(failed, audit.Recovery(second.RecoveryId), strict: true);
        Assert.Null(audit.Recovery("rec-missing"));
        Assert.Empty(audit.Unfinished());
    }

    [Fact]
    public async Task Secrets_in_rendered_steps_and_details_never_reach_the_database_file()
    {
        const string known = "linode-token-7c1f9e2a";
        string[] secrets = [known, "Repl1c4-pass!", "es-user-pw-55aa", "eyJhbGciOiJIUzI1NiJ9.payload.sig", "master-pw-0099"];
        var time = new ManualTime(Start);
        var plan = new RecoveryPlan(RecoveryKind.RegionRebuild, $"rebuild fra with token {known}",
        [
            new MySqlStatement("fra", "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'Repl1c4-pass!'", "replication user", "IF NOT EXISTS"),
            new ElasticsearchCall("fra", "PUT", "/_security/user/app", """{"password":"es-user-pw-55aa","roles":["app"]}""", "app user", "PUT is an upsert"),
            new MySqlStatement("fra", "CHANGE MASTER TO MASTER_HOST='10.1.0.4', MASTER_PASSWORD='master-pw-0099'", "point replica at dub", "same values"),
        ]);
        var runner = new DetailRunner($"sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig\nusing {known}");

        using (var audit = AuditTrail.Open(db.Path, new Redactor([known])))
        {
            var outcome = await new RecoveryExecutor(audit, runner, time).RunAsync(plan, RecoveryTrigger.Operator);
            var record = audit.Recovery(outcome.RecoveryId)!;
            Assert.Equal(RecoveryStatus.Succeeded, record.Status);
            Assert.Contains(Redactor.Mask, record.Summary, StringComparison.Ordinal);
            Assert.All(record.Steps, s => Assert.Contains(Redactor.Mask, s.Rendered + s.Detail, StringComparison.Ordinal));
        }

        var bytes = db.AllBytes();
        Assert.NotEmpty(bytes);
        Assert.True(Contains(bytes, Encoding.UTF8.GetBytes("IDENTIFIED BY")), "the file holds the (redacted) steps");
        foreach (var secret in secrets)
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"'{secret}' is in the database file");
    }

    [Fact]
    public void A_step_cannot_finish_without_having_started()
    {
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        audit.BeginRecovery("rec-1", "NodeRebuild", RecoveryTrigger.Timer, "node 2", Start);

        Assert.Throws<InvalidOperationException>(() => audit.StepFinished("rec-1", 0, StepStatus.Succeeded, null, Start));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private sealed class DetailRunner(string detail) : IStepRunner
    {
        public Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default) => Task.FromResult<string?>(detail);
    }
}
