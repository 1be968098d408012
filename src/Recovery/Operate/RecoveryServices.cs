using EsDr.Recovery.Replication;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Elasticsearch;
using EsDr.Recovery.Execute.Git;
using EsDr.Recovery.Execute.Lease;
using EsDr.Recovery.Execute.MySql;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;
using EsDr.Recovery.Watch;
using StepKind = EsDr.Recovery.Plan.StepKind;

namespace EsDr.Recovery.Operate;

/// <summary>Where state lives and how long waits last; the defaults suit an operator at a terminal.</summary>
internal sealed record ServiceOptions
{
    /// <summary>The audit database; null: <c>es-dr:recovery.auditDatabase</c>, else <see cref="AuditTrail.DefaultPath"/>.</summary>
    public string? AuditDatabase { get; init; }
    public bool DryRun { get; init; }
    /// <summary>PEM CA that signed the MySQL servers' certificates (<c>ESDR_MYSQL_CA_FILE</c>); null: the stack's <c>caCertificate</c> output.</summary>
    public string? MySqlCaFile { get; init; }
    /// <summary>PEM CA that signed the etcd servers' certificates (<c>ESDR_ETCD_CA_FILE</c>); null: the system's trust store.</summary>
    public string? EtcdCaFile { get; init; }
    public TimeSpan WaitPollInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan ElasticsearchTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>One MySQL statement's bound (connecting has its own 5 s).</summary>
    public TimeSpan MySqlTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>One git run's bound when a recovery publishes the stack file (a hung git host must not stall a failover).</summary>
    public TimeSpan GitTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>The whole publication's bound: fetch, rebase and push attempts together.</summary>
    public TimeSpan GitDeadline { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The composition root: from a loaded <see cref="Deployment"/>, the real observers, probes, step runners, audit
/// trail, lease and pipeline. Nothing is looked up from the process here: the deployment, options, pulumi and time
/// are handed in, so tests build the same graph against stand-ins.
/// </summary>
internal sealed class RecoveryServices : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private readonly IPulumiCli pulumi;
    private ConfigPublisher? publisher;

    private RecoveryServices(Deployment deployment, ServiceOptions options, IPulumiCli pulumi, TimeProvider time)
    {
        Deployment = deployment;
        Options = options;
        this.pulumi = pulumi;
        Time = time;
        AuditPath = options.AuditDatabase ?? deployment.Config.Recovery?.AuditDatabase ?? AuditTrail.DefaultPath();
        Redactor = new Redactor(deployment.Credentials.Secrets);
        PipelineOptions = RecoverySettingsMapping.Pipeline(deployment.Config.Recovery, options.DryRun);
    }

    public Deployment Deployment { get; }
    public ServiceOptions Options { get; }
    public TimeProvider Time { get; }
    public string AuditPath { get; }
    public Redactor Redactor { get; }
    public PipelineOptions PipelineOptions { get; }
    public IReadOnlyDictionary<string, ElasticsearchConnection> Clusters { get; private set; } = new Dictionary<string, ElasticsearchConnection>();
    public IReadOnlyDictionary<string, MySqlEndpoint> Databases { get; private set; } = new Dictionary<string, MySqlEndpoint>();
    public MySqlClient MySqlClient { get; private set; } = null!;

    /// <summary>How the stack's database engine is spoken: from its config, as the compiler chose the server.</summary>
    public SqlDialect SqlDialect => SqlDialect.For(Deployment.Config);

    /// <summary>Problems probes met (a 401, a malformed answer), by region, for <c>status</c> to show.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> ProbeProblems { get; } = new(StringComparer.Ordinal);

    public static RecoveryServices Create(Deployment deployment, ServiceOptions options, IPulumiCli pulumi, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(options);
        var services = new RecoveryServices(deployment, options, pulumi ?? throw new ArgumentNullException(nameof(pulumi)), time ?? throw new ArgumentNullException(nameof(time)));
        services.Connect();
        return services;
    }

    private void Connect()
    {
        var clusters = new Dictionary<string, ElasticsearchConnection>(StringComparer.Ordinal);
        var endpoints = new Dictionary<string, ElasticsearchConnection>(StringComparer.Ordinal);
        var databases = new Dictionary<string, MySqlEndpoint>(StringComparer.Ordinal);
        var mysqlCa = new Lazy<string?>(MySqlCaPath);
        foreach (var region in Deployment.Regions)
        {
            if (region.Cluster is { } clusterUrl)
                clusters[region.Name] = Connect(region.Name, clusterUrl);
            if (region.Endpoint is { } endpointUrl && region.Cluster != endpointUrl)
                endpoints[region.Name] = Connect(region.Name, endpointUrl);
            if (region.Database is { } db && Deployment.Credentials.DatabaseUser is { } user && Deployment.Credentials.DatabasePassword is { } dbPassword)
                databases[region.Name] = new MySqlEndpoint(region.Name, db.Host, db.Port, user, dbPassword) { CaPath = mysqlCa.Value };
        }
        Clusters = clusters;
        Databases = databases;
        MySqlClient = new MySqlClient(Options.MySqlTimeout);
        owned.Add(MySqlClient);
        var mysql = new MySqlObserver(MySqlClient, SqlDialect);
        Probes = Deployment.Regions.ToDictionary(
            r => r.Name,
            r => (IRegionProbe)new RegionProbe(r.Name,
                clusters.TryGetValue(r.Name, out var es) ? new ElasticsearchObserver(es, r.Name) : null,
                mysql, databases.GetValueOrDefault(r.Name), (region, problem) => ProbeProblems[region] = problem,
                endpoints.GetValueOrDefault(r.Name)),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The CA the MySQL servers' chains are verified against: <c>ESDR_MYSQL_CA_FILE</c>, else the stack's CA (which
    /// signs the database hosts' certificates too) written to a 0600 file for the driver; null, neither is known: the
    /// system's trust store.
    /// </summary>
    private string? MySqlCaPath()
    {
        if (Options.MySqlCaFile is { } file) return file;
        if (Deployment.CaCertificatePem is not { } pem) return null;
        var written = MySqlCaFile.Write(pem);
        owned.Add(written);
        return written.Path;
    }

    private ElasticsearchConnection Connect(string region, Uri url)
    {
        var password = Deployment.Credentials.ElasticPassword(region);
        var credentials = password is null ? null : new ElasticsearchCredentials(Infra.CrossRegion.ReplicationSetupCommands.ElasticUser, password);
        // The balancer hands TLS through to the nodes, whose certificates name the nodes: verify the chain
        // against the stack's CA (the only trust anchor) but not the balancer's host name (as the stack's own
        // replication command does). Without the CA an https endpoint is refused.
        if (Deployment.CaCertificatePem is null && url.Scheme == Uri.UriSchemeHttps)
            throw new DeploymentUnavailableException(
                $"the stack's caCertificate output is missing or not a PEM certificate, and {region}'s Elasticsearch at {url} is https: the stack's CA is the only certificate trusted");
        var endpoint = Deployment.CaCertificatePem is { } ca
            ? new ElasticsearchEndpoint(url, VerifyHostname: false) { CaCertificatePem = ca }
            : new ElasticsearchEndpoint(url);
        var connection = ElasticsearchConnection.Create(endpoint, credentials, Options.ElasticsearchTimeout);
        owned.Add(connection);
        return connection;
    }

    public IReadOnlyDictionary<string, IRegionProbe> Probes { get; private set; } = new Dictionary<string, IRegionProbe>();

    /// <summary>Throws <see cref="PulumiTooOldException"/> when the pulumi CLI lacks flags recovery's commands use.</summary>
    public Task EnsurePulumiCanRecoverAsync(CancellationToken cancellationToken) =>
        PulumiVersionRequirement.EnsureAsync(pulumi, cancellationToken);

    /// <summary>Every step kind's runner, as the executor gets them; <paramref name="pulumiOutput"/> watches pulumi's output.</summary>
    public IStepRunner StepRunner(Action<string>? pulumiOutput = null) => new StepRunnerByKind(new Dictionary<StepKind, IStepRunner>
    {
        [StepKind.Elasticsearch] = new ElasticsearchStepRunner(Clusters),
        [StepKind.MySql] = new MySqlStepRunner(Databases, MySqlClient, SqlDialect),
        [StepKind.Pulumi] = new PulumiStepRunner(pulumi, pulumiOutput),
        [StepKind.Wait] = new WaitStepRunner(Probes, Time, Options.WaitPollInterval, Options.WaitTimeout),
    });

    /// <summary>One recovery at a time: etcd when <c>es-dr:recovery.etcd</c> is set (several replicas), else a lock file beside the audit database.</summary>
    public IRecoveryLease Lease()
    {
        if (Deployment.Config.Recovery?.Etcd is { Endpoints.Count: > 0 } etcd)
        {
            var lease = new EtcdLease(etcd.Endpoints, $"/es-dr/{Deployment.Config.Project}/{Deployment.Config.Stack}/recovery-lease",
                TimeSpan.FromSeconds(etcd.LeaseTtlSeconds), Time, Options.EtcdCaFile);
            owned.Add(lease);
            return lease;
        }
        return new LocalLease(Path.GetDirectoryName(Path.GetFullPath(AuditPath))!);
    }

    public AuditTrail OpenAudit()
    {
        var audit = AuditTrail.Open(AuditPath, Redactor);
        owned.Add(audit);
        return audit;
    }

    public PlanStore OpenPlans()
    {
        var plans = PlanStore.Open(AuditPath);
        owned.Add(plans);
        return plans;
    }

    /// <summary>
    /// The one pipeline, running <paramref name="plan"/> for whatever detection it is handed, reporting each step (and,
    /// when <paramref name="pulumiOutput"/> is given, each line pulumi writes while a step runs it).
    /// </summary>
    public RecoveryPipeline Pipeline(RecoveryPlan plan, AuditTrail audit, PlanStore plans, Action<StepProgress> progress,
        Action<string>? pulumiOutput = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var executor = new RecoveryExecutor(audit, new ProgressReportingRunner(StepRunner(pulumiOutput), plan, progress), Time);
        return new RecoveryPipeline(PipelineOptions, _ => plan, audit, OpenDetections(), OpenBlockPeriods(), OpenInterventions(), executor, Lease(), Time,
            plans: plans, publisher: ConfigPublisher());
    }

    /// <summary>The daemon's pipeline: <paramref name="planFor"/> plans each detection as it comes (null: not the daemon's to do).</summary>
    public RecoveryPipeline Pipeline(Func<Diagnosis, RecoveryPlan?> planFor, AuditTrail audit, PlanStore plans, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var executor = new RecoveryExecutor(audit, StepRunner(), Time);
        return new RecoveryPipeline(PipelineOptions, planFor, audit, OpenDetections(), OpenBlockPeriods(), OpenInterventions(), executor, Lease(), Time, logger, plans,
            ConfigPublisher());
    }

    /// <summary>
    /// The one publisher of this process (the daemon's retries and its recoveries take turns on the work tree):
    /// commits and pushes the stack file per <c>es-dr:recovery.git</c>, or says the change stayed local.
    /// </summary>
    public ConfigPublisher ConfigPublisher()
    {
        if (publisher is not null) return publisher;
        var store = ConfigPublications.Open(AuditPath, Redactor);
        owned.Add(store);
        publisher = new ConfigPublisher(Deployment.Config.Recovery?.Git, Deployment.StackFile ?? "Pulumi.prod.yaml", store,
            new GitProcess(Options.GitTimeout), Time, Options.GitDeadline);
        owned.Add(publisher);
        return publisher;
    }

    /// <summary>
    /// With <c>es-dr:recovery.git</c> set, and not a dry run: retry the config publications still pending in the audit
    /// database (none there, or no database yet: nothing is done). Null when there was nothing to retry.
    /// </summary>
    public async Task<PublicationRetry?> RetryConfigPublicationsAsync(CancellationToken cancellationToken)
    {
        if (Deployment.Config.Recovery?.Git is null || Options.DryRun || !File.Exists(AuditPath)) return null;
        return await ConfigPublisher().RetryPendingAsync(cancellationToken).ConfigureAwait(false);
    }

    private DetectionLog OpenDetections()
    {
        var detections = DetectionLog.Open(AuditPath);
        owned.Add(detections);
        return detections;
    }

    /// <summary>The operators' pauses and acknowledgements (the audit database's <c>interventions</c>).</summary>
    public Interventions OpenInterventions()
    {
        var interventions = Interventions.Open(AuditPath);
        owned.Add(interventions);
        return interventions;
    }

    /// <summary>Why recoveries are paused (the pause file or <c>es-dr-recovery pause</c>), or null.</summary>
    public string? PauseReason()
    {
        using var interventions = Interventions.Open(AuditPath);
        return PauseState.Reason(PipelineOptions.PauseFile, interventions);
    }

    private BlockPeriods OpenBlockPeriods()
    {
        var blocks = BlockPeriods.Open(AuditPath);
        owned.Add(blocks);
        return blocks;
    }

    /// <summary>Probes every region at once: one snapshot of the "probe" vantage.</summary>
    public async Task<HealthSnapshot> ProbeAllAsync(CancellationToken cancellationToken)
    {
        var observations = await Task.WhenAll(Deployment.Regions.Select(r => Probes[r.Name].ProbeAsync(cancellationToken))).ConfigureAwait(false);
        return RegionProbe.Snapshot(Time.GetUtcNow(), observations);
    }

    public AnalysisThresholds Thresholds => RecoverySettingsMapping.Thresholds(Deployment.Config.Recovery);

    public void Dispose()
    {
        for (var i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
