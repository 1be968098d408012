using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Execute.Audit;

/// <summary>Stored plans: what a resume runs must be exactly what was planned.</summary>
public class PlanStoreTests
{
    [Theory]
    [InlineData("node-loss")]
    [InlineData("region-loss")]
    [InlineData("cluster-red")]
    [InlineData("replica-broken")]
    public void StoredPlan_ReadsBackAsTheSamePlan(string scenario)
    {
        var root = EsDr.Recovery.Tests.Operate.OperatorTestbed.FindRoot();
        var file = StackFile.Load(Path.Combine(root, "Pulumi.prod.yaml"), "es-dr");
        var plan = Planner.Simulate(scenario, StackConfigParser.Parse("es-dr", "prod", file.Config));
        var dir = Directory.CreateTempSubdirectory("esdr-plans-");
        try
        {
            using (var store = PlanStore.Open(Path.Combine(dir.FullName, "audit.db")))
                store.Save("rec-1", plan);
            using var reopened = PlanStore.Open(Path.Combine(dir.FullName, "audit.db"));

            var loaded = reopened.Load("rec-1")!;

            Assert.Equal(plan.Render(), loaded.Render());
            Assert.Equal(plan.Steps.Select(s => s.GetType()), loaded.Steps.Select(s => s.GetType()));
            Assert.Null(reopened.Load("rec-2"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void StoredCatchUpWait_KeepsItsDialect_AndOneStoredBeforeDialectsIsMariaDbs()
    {
        var plan = new RecoveryPlan(RecoveryKind.Failback, "fail back", [new WaitFor("caught up", new MySqlCaughtUp("fra", "ewr", SqlDialect.MySql84), "a condition")]);

        var json = PlanJson.Write(plan);
        var read = (WaitFor)PlanJson.Read(json).Steps[0];
        json["steps"]![0]!["condition"]!.AsObject().Remove("dialect");
        var legacy = (WaitFor)PlanJson.Read(json).Steps[0];

        Assert.Same(SqlDialect.MySql84, ((MySqlCaughtUp)read.Condition).Dialect);
        Assert.Same(SqlDialect.MariaDb, ((MySqlCaughtUp)legacy.Condition).Dialect);
    }
}
