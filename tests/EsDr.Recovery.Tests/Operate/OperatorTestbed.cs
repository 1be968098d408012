using System.CommandLine;
using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Execute.Pulumi;
using EsDr.Recovery.Tests.Observe.Elasticsearch;
using Spectre.Console;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>A region's database for the stack outputs: where it listens and its role.</summary>
internal sealed record TestDatabase(string Role, int Port);

/// <summary>
/// The repository's prod stack (fra active on Linode, dub standby on AWS, CCR of products-* and orders-*) deployed
/// onto stand-ins: the stand-in <c>pulumi</c> (its project directory holds the stack file, its outputs point at
/// one loopback Elasticsearch stand-in per region and, when given, real MariaDB servers), and a captured console.
/// Commands run through System.CommandLine exactly as <c>Program</c> wires them.
/// </summary>
internal sealed class OperatorTestbed : IDisposable
{
    public const string FraPassword = "fra-Elastic-Pw-51f0c2";
    public const string DubPassword = "dub-Elastic-Pw-9ad37e";

    private readonly bool endpointsFollowActive;
    private readonly IReadOnlyDictionary<string, TestDatabase> databases;
    private readonly string auditDir = Directory.CreateTempSubdirectory("esdr-operate-").FullName;

    /// <param name="endpointsFollowActive">
    /// As HAProxy regions deploy: every region's <c>endpoint</c> is the active region's cluster, and its own cluster is
    /// at <c>clusterEndpoint</c>.
    /// </param>
    /// <param name="stackDirectory">Where the stack file lives below the project directory (as the examples under <c>stacks/</c>).</param>
    /// <param name="alertmanagerUrl">Alertmanager's API for <c>watch</c> and <c>serve</c>; default: a free loopback port, nothing answering.</param>
    /// <summary>Where the stack file says Alertmanager's API is (<c>monitoring.alertmanagerUrl</c>): a free loopback port.</summary>
    public Uri AlertmanagerUrl { get; }

    public OperatorTestbed(IReadOnlyDictionary<string, TestDatabase>? databases = null, string dbUser = "dr", string dbPassword = "unused-db-pw",
        bool endpointsFollowActive = false, string stackDirectory = "", Uri? alertmanagerUrl = null)
    {
        this.endpointsFollowActive = endpointsFollowActive;
        this.databases = databases ?? new Dictionary<string, TestDatabase>();
        StackFile = new FileInfo(Path.Combine(Pulumi.ProjectDirectory, stackDirectory, "Pulumi.prod.yaml"));
        StackFile.Directory!.Create();
        var root = FindRoot();
        // Alertmanager's API where nothing answers, never whatever this machine runs on 9093: watch and serve read it.
        AlertmanagerUrl = alertmanagerUrl ?? new Uri($"http://127.0.0.1:{EsDr.TestSupport.Loopback.FreePort()}/");
        File.WriteAllText(StackFile.FullName, File.ReadAllText(Path.Combine(root, "Pulumi.prod.yaml")).Replace(
            "    webhookUrl: ", $"    alertmanagerUrl: {AlertmanagerUrl}\n    webhookUrl: ", StringComparison.Ordinal));
        File.Copy(Path.Combine(root, "Pulumi.yaml"), Path.Combine(Pulumi.ProjectDirectory, "Pulumi.yaml"));
        Config = StackConfigParser.Parse("es-dr", "prod",
            EsDr.Infra.Config.StackFile.Load(StackFile.FullName, "es-dr").Config);
        Fra.NodeNames = Nodes("fra");
        Dub.NodeNames = Nodes("dub");
        Dub.Indices["products-1"] = new StandInIndex { Follow = "active", LeaderGlobalCheckpoint = 10, FollowerGlobalCheckpoint = 10 };
        Dub.Indices["orders-1"] = new StandInIndex { Follow = "active", LeaderGlobalCheckpoint = 7, FollowerGlobalCheckpoint = 7 };
        Fra.Indices["products-1"] = new StandInIndex();
        Fra.Indices["orders-1"] = new StandInIndex();
        Deployed = Outputs(this.databases);
        Serve(Deployed);
        Pulumi.SetSecretOutput("credentials", new JsonObject
        {
            ["regions"] = new JsonObject
            {
                ["fra"] = new JsonObject { ["elasticPassword"] = FraPassword },
                ["dub"] = new JsonObject { ["elasticPassword"] = DubPassword },
            },
            ["database"] = new JsonObject { ["user"] = dbUser, ["password"] = dbPassword },
        }.ToJsonString());
        Pulumi.UpSummary = "Updating (prod)\n\nResources:\n    ~ 4 updated\n    41 unchanged\n\nDuration: 12s\n";
    }

    public PulumiStandIn Pulumi { get; } = new();
    public EsPromotionStandIn Fra { get; } = new();
    public EsPromotionStandIn Dub { get; } = new();
    public StackConfig Config { get; private set; }
    public FileInfo StackFile { get; }
    public string AuditPath => Path.Combine(auditDir, "audit.db");
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);
    public string? MySqlCaFile { get; init; }
    public bool InputIsTerminal { get; set; }
    public string Input { get; set; } = "";

    /// <summary>Stdout as a terminal a person watches (a <c>TestConsole</c>); null: not a terminal, plain lines.</summary>
    public IAnsiConsole? Terminal { get; set; }

    public StringWriter Out { get; private set; } = new();
    public StringWriter Error { get; private set; } = new();

    public OperatorHost Host() => Host(Out, Error);

    private OperatorHost Host(TextWriter output, TextWriter error) => new(
        new OperatorConsole(output, error, new StringReader(Input), InputIsTerminal) { Terminal = Terminal },
        name => Environment.GetValueOrDefault(name),
        _ => Pulumi.Process(),
        TimeProvider.System,
        new ServiceOptions
        {
            AuditDatabase = AuditPath,
            MySqlCaFile = MySqlCaFile,
            WaitPollInterval = TimeSpan.FromMilliseconds(50),
            WaitTimeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>Runs one command line (with <c>--stack-file</c> added) and returns its exit code; output is in <see cref="Out"/> and <see cref="Error"/>.</summary>
    public Task<int> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    public Task<int> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        Out = new StringWriter();
        Error = new StringWriter();
        return RunWritingToAsync(Out, Error, cancellationToken, args);
    }

    /// <summary>
    /// As <see cref="RunAsync(CancellationToken, string[])"/>, writing to the caller's writers instead of <see cref="Out"/>
    /// and <see cref="Error"/>: a daemon's output read while it runs needs a writer that may be read meanwhile.
    /// </summary>
    public async Task<int> RunWritingToAsync(TextWriter output, TextWriter error, CancellationToken cancellationToken, params string[] args)
    {
        var host = Host(output, error);
        var root = new RootCommand
        {
            StatusCommand.Create(host), CheckDriftCommand.Create(host), RebuildNodeCommand.Create(host), FailoverCommand.Create(host),
            RebuildRegionCommand.Create(host), FailbackCommand.Create(host), InterventionCommands.CreateAck(host),
            InterventionCommands.CreatePause(host), InterventionCommands.CreateResume(host),
            WatchCommand.CreateWatch(host), WatchCommand.CreateServe(host),
        };
        var result = root.Parse([.. args, "--stack-file", StackFile.FullName]);
        if (result.Errors.Count > 0) return ExitCodes.Usage;
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>The argv of every pulumi call except the reads every command starts with (outputs, the CLI's version).</summary>
    public IReadOnlyList<string> Changes =>
        Pulumi.Calls.Where(c => c[0] is not ("stack" or "version")).Select(c => string.Join(' ', c)).ToList();

    /// <summary>
    /// What <c>pulumi config set</c> and <c>pulumi up</c> leave behind (the stand-in only records them): the stack file
    /// edited by <paramref name="edit"/>, written at once (as pulumi rewrites it), and the outputs of that config.
    /// </summary>
    public void Redeploy(Func<string, string> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var text = edit(File.ReadAllText(StackFile.FullName));
        var temp = StackFile.FullName + ".tmp";
        File.WriteAllText(temp, text);
        Config = StackConfigParser.Parse("es-dr", "prod", EsDr.Infra.Config.StackFile.Load(temp, "es-dr").Config);
        Deployed = Outputs(databases);
        Serve(Deployed);
        File.Move(temp, StackFile.FullName, overwrite: true);
    }

    /// <summary>
    /// A dry run of rebuilding <paramref name="node"/>: its exit code and the name of the node the rebuild would create,
    /// read from the recorded plan's wait-to-join step.
    /// </summary>
    public async Task<(int Exit, string Replacement)> DryRunNodeRebuildAsync(string region, string node)
    {
        var exit = await RunAsync("rebuild-node", "--region", region, "--node", node, "--dry-run");
        using var audit = EsDr.Recovery.Execute.Audit.AuditTrail.Open(AuditPath, EsDr.Recovery.Execute.Audit.Redactor.None);
        var replacement = audit.History(1)[0].Steps.Select(s => System.Text.RegularExpressions.Regex.Match(s.Description, @"^Wait for (\S+) to join$"))
            .Single(m => m.Success).Groups[1].Value;
        return (exit, replacement);
    }

    public IReadOnlyList<string> Nodes(string region) =>
        StackView.Offline(Config).View.Region(region).Nodes.Select(n => n.Name).ToList();

    /// <summary>
    /// The outputs the stand-in serves: the contract the compiler emits for this config (<see cref="StackOutputs.Of"/>),
    /// with the addresses a deployment would resolve pointing at the stand-ins. A region without a <see cref="TestDatabase"/>
    /// keeps its database resources (planning knows the whole footprint) under an empty host: no database to reach.
    /// </summary>
    public DeployedOutputs Deployed { get; private set; }

    private DeployedOutputs Outputs(IReadOnlyDictionary<string, TestDatabase> databases)
    {
        var compiled = StackOutputs.Of(StackCompiler.Default().Compile(Config).Program);
        var regions = compiled.Regions.ToDictionary(kv => kv.Key, kv =>
        {
            var own = (kv.Key == "fra" ? Fra : Dub).Url.ToString();
            var region = kv.Value with { Endpoint = endpointsFollowActive ? Fra.Url.ToString() : own, ClusterEndpoint = own };
            if (region.Database is { } db)
                region = region with
                {
                    Database = databases.TryGetValue(kv.Key, out var served)
                        ? db with { Role = served.Role, Host = "127.0.0.1", PrivateIp = "10.0.0.5", Port = served.Port }
                        : db with { Host = "" },
                };
            return region;
        }, StringComparer.Ordinal);
        return compiled with { Regions = regions };
    }

    /// <summary>Serves other outputs from now on (e.g. a recovery's changes, or an older compiler's shape).</summary>
    public void Serve(DeployedOutputs outputs) => Pulumi.StackOutputJson = DeployedOutputsJson.ToJson(outputs).ToJsonString();

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IaC.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("IaC.sln not found above the test binaries");
    }

    public void Dispose()
    {
        Fra.Dispose();
        Dub.Dispose();
        Pulumi.Dispose();
        Directory.Delete(auditDir, recursive: true);
    }
}

/// <summary>Edits of the bed's stack file.</summary>
internal static class OperatorTestbedFiles
{
    /// <summary>Adds <c>es-dr:recovery</c> (config is the file's last top-level key); a second call adds lines to it.</summary>
    public static void AppendRecovery(OperatorTestbed bed, params string[] lines)
    {
        var text = File.ReadAllText(bed.StackFile.FullName);
        var header = text.Contains("  es-dr:recovery:\n", StringComparison.Ordinal) ? "" : "  es-dr:recovery:\n";
        File.AppendAllText(bed.StackFile.FullName, header + string.Concat(lines.Select(l => "    " + l + "\n")));
    }
}
