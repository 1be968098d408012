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
        var summary = DeploymentSummary.Of(compiled) with { SecretsTarget = ConfigSetTarget(file, compiled.Config.Stack) };
        if (json)
            stdout.WriteLine(summary.ToJson(files ? compiled.Files : null).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else
            summary.WriteText(stdout, files ? compiled.Files : null);
        WarnAboutPlainTextSecrets(summary, file, stderr);
        foreach (var p in compiled.Problems) stderr.WriteLine($"error: {p.Where}: {p.Message}");
        return compiled.Problems.Count > 0 ? ExitCodes.InvalidProgram : ExitCodes.Ok;
    }

    /// <summary>
    /// How <c>pulumi config set</c> reaches this file: by stack name for the project's own
    /// <c>Pulumi.&lt;stack&gt;.yaml</c>, otherwise by <c>--config-file</c> with its path from the project directory.
    /// </summary>
    internal static string ConfigSetTarget(FileInfo file, string stack)
    {
        var project = ProjectFile.DirectoryFor(file.FullName);
        if (project is not null && string.Equals(file.DirectoryName, project, StringComparison.Ordinal) && file.Name == $"Pulumi.{stack}.yaml")
            return $"-s {stack}";
        var path = project is null ? file.FullName : Path.GetRelativePath(project, file.FullName);
        return $"--config-file {path.Replace(Path.DirectorySeparatorChar, '/')}";
    }

    /// <summary>The program still reads such a value through fn::secret, but anyone who can read the file has it.</summary>
    private static void WarnAboutPlainTextSecrets(DeploymentSummary summary, FileInfo file, TextWriter stderr)
    {
        foreach (var s in summary.Secrets.Where(s => s.State == SecretState.PlainText))
            stderr.WriteLine($"warning: {summary.Stack.Config.Project}:{s.Secret.Key} is stored in plain text in {file.Name}: whoever reads the file has it "
                + $"(the program still handles it as a secret). Store it encrypted: {s.Secret.SetCommand(summary.SecretsTarget)}");
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
            Secrets = StackSecrets.Needed(stack),
        };
    }

    /// <summary>The monitoring site's resources by type; empty without <c>es-dr:monitoring</c>.</summary>
    public IReadOnlyList<(string Type, int Count)> Monitoring { get; init; } = [];

    /// <summary>The secrets the program declares (Pulumi stops on one that is not set), and where each stands.</summary>
    public IReadOnlyList<NeededSecret> Secrets { get; init; } = [];

    /// <summary>What follows <c>pulumi config set --secret</c> to write into this stack's file (see <see cref="ShowCommand.ConfigSetTarget"/>).</summary>
    public string SecretsTarget { get; init; } = $"-s {Stack.Config.Stack}";

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
        WriteSecrets(o);
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

    private static readonly Dictionary<SecretState, string> StateText = new()
    {
        [SecretState.NotSet] = "not set", [SecretState.Set] = "set", [SecretState.PlainText] = "stored in plain text",
    };

    private static readonly Dictionary<SecretState, string> StateJson = new()
    {
        [SecretState.NotSet] = "notSet", [SecretState.Set] = "set", [SecretState.PlainText] = "plainText",
    };

    /// <summary>Each secret with its state, and the command for any not yet stored encrypted.</summary>
    private void WriteSecrets(TextWriter o)
    {
        if (Secrets.Count == 0) return;
        o.WriteLine();
        o.WriteLine("Secrets (read from the stack config at deploy time, decrypted by Pulumi; `pulumi preview` stops while one is not set)");
        foreach (var s in Secrets)
        {
            o.WriteLine($"  {Stack.Config.Project}:{s.Secret.Key}  {StateText[s.State]}: {s.Secret.Purpose}");
            if (s.State != SecretState.Set) o.WriteLine($"    {s.Secret.SetCommand(SecretsTarget)}");
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
            ["secrets"] = new JsonArray(Secrets.Select(s => (JsonNode)new JsonObject
            {
                ["key"] = $"{c.Project}:{s.Secret.Key}", ["state"] = StateJson[s.State], ["purpose"] = s.Secret.Purpose,
                ["setCommand"] = s.Secret.SetCommand(SecretsTarget),
            }).ToArray()),
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
