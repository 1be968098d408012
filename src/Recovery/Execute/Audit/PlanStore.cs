using System.Text.Json.Nodes;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>
/// The exact plan of each recovery, in a <c>plans</c> table of the audit database, written as the recovery
/// begins. A resume runs this stored plan: planning again from config that the half-done recovery already
/// changed (an active region set, a generation bumped) would give a different plan.
/// Plans hold no secrets (recovery never sets a secret config value).
/// </summary>
internal sealed class PlanStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS plans (
            recovery_id TEXT PRIMARY KEY,
            plan        TEXT NOT NULL
        );
        """;

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private PlanStore(SqliteConnection connection) => this.connection = connection;

    public static PlanStore Open(string auditPath) => new(SqliteCommands.OpenAuditFile(auditPath, Schema));

    public void Save(string recoveryId, RecoveryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (gate)
        {
            using var command = connection.Command("INSERT OR REPLACE INTO plans (recovery_id, plan) VALUES ($id, $plan)",
                ("$id", recoveryId), ("$plan", PlanJson.Write(plan).ToJsonString()));
            command.ExecuteNonQuery();
        }
    }

    public RecoveryPlan? Load(string recoveryId)
    {
        lock (gate)
        {
            using var command = connection.Command("SELECT plan FROM plans WHERE recovery_id = $id", ("$id", recoveryId));
            return command.ExecuteScalar() is string json ? PlanJson.Read(JsonNode.Parse(json)!) : null;
        }
    }

    public void Dispose() => connection.Dispose();
}

/// <summary>A <see cref="RecoveryPlan"/> as JSON and back, field by field (the step records are exact data).</summary>
internal static class PlanJson
{
    public static JsonObject Write(RecoveryPlan plan) => new()
    {
        ["kind"] = plan.Kind.ToString(),
        ["summary"] = plan.Summary,
        ["steps"] = new JsonArray(plan.Steps.Select(s => (JsonNode)Step(s)).ToArray()),
    };

    public static RecoveryPlan Read(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new RecoveryPlan(
            Enum.Parse<RecoveryKind>((string)json["kind"]!),
            (string)json["summary"]!,
            json["steps"]!.AsArray().Select(s => Step(s!)).ToList());
    }

    private static JsonObject Step(RecoveryStep step) => step switch
    {
        ElasticsearchCall e => new() { ["type"] = "es", ["region"] = e.Region, ["method"] = e.Method, ["path"] = e.Path, ["body"] = e.Body, ["purpose"] = e.Purpose, ["idempotency"] = e.Idempotency },
        MySqlStatement m => new() { ["type"] = "mysql", ["region"] = m.Region, ["sql"] = m.Sql, ["purpose"] = m.Purpose, ["idempotency"] = m.Idempotency },
        PulumiCommand p => new() { ["type"] = "pulumi", ["args"] = new JsonArray(p.Args.Select(a => (JsonNode)a).ToArray()), ["purpose"] = p.Purpose, ["idempotency"] = p.Idempotency },
        WaitFor w => new() { ["type"] = "wait", ["description"] = w.Description, ["condition"] = Condition(w.Condition), ["idempotency"] = w.Idempotency },
        _ => throw new ArgumentException($"unknown step {step.GetType().Name}", nameof(step)),
    };

    private static RecoveryStep Step(JsonNode j) => (string)j["type"]! switch
    {
        "es" => new ElasticsearchCall(S(j, "region"), S(j, "method"), S(j, "path"), (string?)j["body"], S(j, "purpose"), S(j, "idempotency")),
        "mysql" => new MySqlStatement(S(j, "region"), S(j, "sql"), S(j, "purpose"), S(j, "idempotency")),
        "pulumi" => new PulumiCommand(j["args"]!.AsArray().Select(a => (string)a!).ToList(), S(j, "purpose"), S(j, "idempotency")),
        "wait" => new WaitFor(S(j, "description"), Condition(j["condition"]!), S(j, "idempotency")),
        var t => throw new FormatException($"unknown step type '{t}' in a stored plan"),
    };

    private static JsonObject Condition(WaitCondition c) => c switch
    {
        ClusterGreen g => new() { ["type"] = "clusterGreen", ["region"] = g.Region },
        NodeJoined n => new() { ["type"] = "nodeJoined", ["region"] = n.Region, ["node"] = n.Node },
        WritesStopped w => new() { ["type"] = "writesStopped", ["region"] = w.Region },
        CcrLagZero l => new() { ["type"] = "ccrLagZero", ["region"] = l.Region, ["indices"] = new JsonArray(l.Indices.Select(i => (JsonNode)i).ToArray()) },
        MySqlCaughtUp m => new() { ["type"] = "mysqlCaughtUp", ["replica"] = m.Replica, ["primary"] = m.Primary, ["dialect"] = m.Dialect.Name },
        _ => throw new ArgumentException($"unknown condition {c.GetType().Name}", nameof(c)),
    };

    private static WaitCondition Condition(JsonNode j) => (string)j["type"]! switch
    {
        "clusterGreen" => new ClusterGreen(S(j, "region")),
        "nodeJoined" => new NodeJoined(S(j, "region"), S(j, "node")),
        "writesStopped" => new WritesStopped(S(j, "region")),
        "ccrLagZero" => new CcrLagZero(S(j, "region"), j["indices"]!.AsArray().Select(i => (string)i!).ToList()),
        // Plans stored before dialects existed were MariaDB's.
        "mysqlCaughtUp" => new MySqlCaughtUp(S(j, "replica"), S(j, "primary"), SqlDialect.Named((string?)j["dialect"] ?? SqlDialect.MariaDb.Name)),
        var t => throw new FormatException($"unknown wait condition '{t}' in a stored plan"),
    };

    private static string S(JsonNode j, string name) => (string?)j[name] ?? throw new FormatException($"a stored plan step lacks '{name}'");
}
