using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Topology;

namespace EsDr.Compiler;

/// <summary>
/// <c>es-dr show [STACK-FILE] [--files] [--json]</c>: the offline main job. Compiles a stack file without
/// Pulumi or a cloud account, checks the program against the provider schemas, and shows what would be
/// deployed: resources by region and type, endpoints, nodes, and (on request) the rendered files.
/// </summary>
internal static class ShowCommand
{
    private static readonly Option<bool> Files = new("--files") { Description = "Also print every rendered file (user-data, elasticsearch.yml, haproxy.cfg)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output" };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = StackFileArgument.Create();
        var command = new Command("show", "Compile and validate a stack file offline and show what would be deployed.") { file, Files, Json };
        command.SetAction(result => Execute(result.GetRequiredValue(file), result.GetValue(Files), result.GetValue(Json), stdout, stderr));
        return command;
    }

    public static int Execute(FileInfo file, bool files, bool json, TextWriter stdout, TextWriter stderr)
    {
        var compiled = StackFileArgument.Compile(file, stderr, out var exit);
        if (compiled is null) return exit;
        var summary = DeploymentSummary.Of(compiled);
        if (json)
            stdout.WriteLine(summary.ToJson(files ? compiled.Files : null).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else
            summary.WriteText(stdout, files ? compiled.Files : null);
        foreach (var p in compiled.Problems) stderr.WriteLine($"error: {p.Where}: {p.Message}");
        return compiled.Problems.Count > 0 ? ExitCodes.InvalidProgram : ExitCodes.Ok;
    }
}

/// <summary>What would be deployed, grouped by region: derived from the topology and the program.</summary>
internal sealed record DeploymentSummary(StackCompilation Stack, IReadOnlyList<RegionSummary> Regions, IReadOnlyList<(string Type, int Count)> Shared)
{
    public static DeploymentSummary Of(StackCompilation stack)
    {
        var keys = stack.Topology.Regions.Select(r => r.Key).Append(MonitoringSite.Key).OrderByDescending(k => k.Length).ToList();
        string? RegionOf(string logical) => keys.FirstOrDefault(k => logical.StartsWith(k + "-", StringComparison.Ordinal));
        var byRegion = stack.Program.Resources.GroupBy(r => RegionOf(r.Name) ?? "").ToDictionary(g => g.Key, g => g.ToList());
        var regionSummaries = stack.Topology.Regions.Select(region =>
        {
            var resources = byRegion.GetValueOrDefault(region.Key) ?? [];
            var endpoint = ((stack.Program.Outputs["regions"] as Infra.Program.PMap)?[region.Name] as Infra.Program.PMap)?["endpoint"] as string ?? "";
            return new RegionSummary(region, endpoint, Count(resources));
        }).ToList();
        return new DeploymentSummary(stack, regionSummaries, Count(byRegion.GetValueOrDefault("") ?? []))
        {
            Monitoring = Count(byRegion.GetValueOrDefault(MonitoringSite.Key) ?? []),
        };
    }

    /// <summary>The monitoring site's resources by type; empty without <c>es-dr:monitoring</c>.</summary>
    public IReadOnlyList<(string Type, int Count)> Monitoring { get; init; } = [];

    private static List<(string, int)> Count(IEnumerable<Infra.Program.ProgramResource> resources) =>
        resources.GroupBy(r => r.Type).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).ToList();

    public void WriteText(TextWriter o, IReadOnlyList<RenderedFile>? files)
    {
        var c = Stack.Config;
        var total = Stack.Program.Resources.Count;
        o.WriteLine($"Stack {c.Stack} (project {c.Project}): {total} resources in {Regions.Count} region{(Regions.Count == 1 ? "" : "s")}, " +
                    (Stack.Problems.Count == 0 ? "program valid against the provider schemas" : $"{Stack.Problems.Count} SCHEMA PROBLEMS"));
        o.WriteLine($"Active region: {c.ActiveRegion}    Elasticsearch {c.Elasticsearch.Version} ({c.Elasticsearch.License} licence, security and TLS on)");
        foreach (var r in Regions)
        {
            var t = r.Region;
            o.WriteLine();
            o.WriteLine($"Region {t.Name}: {StackConfigParser.Spell(t.Cloud)} {t.Config.Location}, {StackConfigParser.Spell(t.Config.State)}, generation {t.Config.Generation}, network {t.Network.Cidr}");
            o.WriteLine($"  cluster   {t.ClusterName}: {t.Nodes.Count} nodes of {t.Config.Elasticsearch.Size}, heap {t.HeapGb}g, {t.Config.Elasticsearch.VolumeGb} GB data volume each");
            o.WriteLine($"  endpoint  {r.Endpoint}  ({StackConfigParser.Spell(t.Balancer.Kind)}; addresses in ${{…}} are known after deploy)");
            foreach (var n in t.Nodes)
            {
                var notes = new List<string>();
                if (n.Zone is not null) notes.Add($"zone {n.Zone}");
                if (n.Generation > 1) notes.Add($"generation {n.Generation}");
                if (n.IsFounding) notes.Add("bootstraps a new cluster");
                o.WriteLine($"  node      {n.Name,-28} {n.PrivateIp ?? n.DnsName,-16} {string.Join(", ", notes)}");
            }
            if (t.Database is { } db)
                o.WriteLine($"  database  {db.Name,-28} {db.PrivateIp ?? "(cloud-assigned)",-16} {(db.Role == Infra.Renderers.Database.MySqlRole.Primary ? "primary" : "replica")}, server_id {db.ServerId}, {db.Size}");
            foreach (var a in t.Applications)
                o.WriteLine($"  app       {a.Name,-28} {a.PrivateIp ?? "(cloud-assigned)",-16} {a.Size}");
            foreach (var (type, count) in r.Resources) o.WriteLine($"  {count,4} × {type}");
        }
        if (c.Monitoring is { } m)
        {
            o.WriteLine();
            o.WriteLine($"Monitoring: {StackConfigParser.Spell(m.Cloud)} {m.Location}, network {m.NetworkCidr}, host {m.Size}; alerts to {m.WebhookUrl}");
            foreach (var (type, count) in Monitoring) o.WriteLine($"  {count,4} × {type}");
        }
        o.WriteLine();
        o.WriteLine("Shared");
        foreach (var (type, count) in Shared) o.WriteLine($"  {count,4} × {type}");
        WriteUserData(o);
        if (files is null) return;
        foreach (var f in files)
        {
            o.WriteLine();
            o.WriteLine($"──── {f.Region} / {f.Host}: {f.Path}");
            o.Write(f.Text);
            if (!f.Text.EndsWith('\n')) o.WriteLine();
        }
    }

    /// <summary>The fullest VM's user-data against its cloud's limit, and which VMs had files compressed to fit.</summary>
    private void WriteUserData(TextWriter o)
    {
        if (Stack.UserData.MaxBy(s => (double)s.Limit.CountOf(s.Bound) / s.Limit.MaxBytes) is not { } fullest) return;
        o.WriteLine();
        o.WriteLine($"User-data fits on all {Stack.UserData.Count} VMs; the fullest, {fullest.Vm}, can reach {fullest.Bound} bytes once deployed, within {fullest.Limit}");
        if (Stack.Topology.CompressedUserData.Count > 0)
            o.WriteLine($"  files known at compile time written compressed (gz+b64) to fit: {string.Join(", ", Stack.Topology.CompressedUserData.Order(StringComparer.Ordinal))}");
    }

    public JsonObject ToJson(IReadOnlyList<RenderedFile>? files)
    {
        var c = Stack.Config;
        var json = new JsonObject
        {
            ["stack"] = c.Stack,
            ["project"] = c.Project,
            ["valid"] = Stack.Problems.Count == 0,
            ["problems"] = new JsonArray(Stack.Problems.Select(p => (JsonNode)$"{p.Where}: {p.Message}").ToArray()),
            ["activeRegion"] = c.ActiveRegion,
            ["resourceCount"] = Stack.Program.Resources.Count,
            ["regions"] = new JsonArray(Regions.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Region.Name,
                ["cloud"] = StackConfigParser.Spell(r.Region.Cloud),
                ["location"] = r.Region.Config.Location,
                ["state"] = StackConfigParser.Spell(r.Region.Config.State),
                ["clusterName"] = r.Region.ClusterName,
                ["endpoint"] = r.Endpoint,
                ["nodes"] = new JsonArray(r.Region.Nodes.Select(n => (JsonNode)new JsonObject
                {
                    ["name"] = n.Name, ["privateAddress"] = n.PrivateIp ?? n.DnsName, ["zone"] = n.Zone,
                    ["generation"] = n.Generation, ["founding"] = n.IsFounding,
                }).ToArray()),
                ["resources"] = ToJson(r.Resources),
            }).ToArray()),
            ["shared"] = ToJson(Shared),
            ["userData"] = new JsonArray(Stack.UserData.Select(u => (JsonNode)new JsonObject
            {
                ["vm"] = u.Vm, ["cloud"] = u.Limit.Cloud, ["bytes"] = u.Bound, ["limitBytes"] = u.Limit.MaxBytes,
                ["counted"] = u.Limit.Counted == UserDataCount.Raw ? "raw" : "base64",
                ["compressed"] = Stack.Topology.CompressedUserData.Contains(u.Vm),
            }).ToArray()),
        };
        if (c.Monitoring is { } m)
            json["monitoring"] = new JsonObject
            {
                ["cloud"] = StackConfigParser.Spell(m.Cloud), ["location"] = m.Location, ["webhookUrl"] = m.WebhookUrl,
                ["resources"] = ToJson(Monitoring),
            };
        if (files is not null)
            json["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject
            {
                ["region"] = f.Region, ["host"] = f.Host, ["path"] = f.Path, ["text"] = f.Text,
            }).ToArray());
        return json;
    }

    private static JsonObject ToJson(IReadOnlyList<(string Type, int Count)> counts)
    {
        var o = new JsonObject();
        foreach (var (type, count) in counts) o[type] = count;
        return o;
    }
}

internal sealed record RegionSummary(RegionTopology Region, string Endpoint, IReadOnlyList<(string Type, int Count)> Resources);
