using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EsDr.Recovery.Replication;
using EsDr.Infra.Topology;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Alertmanager;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Watch;
using Microsoft.Extensions.Logging;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery watch</c> (the daemon: probes every region and peer each interval, takes Alertmanager's alerts,
/// recovers on its own where <c>es-dr:recovery.auto</c> allows) and <c>es-dr-recovery serve</c> (the webhook alone:
/// the alerts are its only vantage; it samples the CCR followers for <c>/metrics</c> only). Both serve <c>POST /alerts</c>,
/// <c>/metrics</c> and <c>/healthz</c> on <c>--listen</c> (Prometheus scrapes <c>/metrics</c> beside the webhook URL), and hand detections to the same pipeline as the operator commands (plan store, lease, audit).
/// With <c>es-dr:monitoring</c>, both also read Alertmanager's active alerts at start and every few rounds
/// (<c>monitoring.alertmanagerUrl</c>), so a restart or a lost notification never hides a firing alert.
/// </summary>
internal static class WatchCommand
{
    public const string TokenVariable = "ESDR_WEBHOOK_TOKEN";
    public const string DefaultListen = "127.0.0.1:9095";

    private sealed class Options
    {
        public OperatorOptions Stack { get; } = new();
        public Option<string?> Interval { get; } = new("--interval") { Description = "time between probe rounds: 5s, 500ms, 1m (default 5s)" };
        public Option<string> Listen { get; } = new("--listen")
        {
            Description = $"address:port for the webhook (POST /alerts), /metrics and /healthz (default {DefaultListen})",
            DefaultValueFactory = _ => DefaultListen,
        };
        public Option<FileInfo?> TokenFile { get; } = new("--webhook-token-file") { Description = $"file holding the webhook's bearer token (default: ${TokenVariable})" };
        public Option<bool> DryRun { get; } = new("--dry-run") { Description = "no-op mode: plans are recorded in the audit trail, nothing is executed" };
        public Option<bool> Once { get; } = new("--once") { Description = "one probe round, then exit (0 healthy, 3 degraded); no listener" };
    }

    public static Command CreateWatch(OperatorHost host) => Create(host, serve: false);

    public static Command CreateServe(OperatorHost host) => Create(host, serve: true);

    private static Command Create(OperatorHost host, bool serve)
    {
        var o = new Options();
        var command = serve
            ? new Command("serve", "Receive Alertmanager's webhook (bearer token) and serve /metrics; alerts go through the recovery pipeline. Runs until SIGINT/SIGTERM.")
            : new Command("watch", "The daemon: probe every region each interval, receive Alertmanager's webhook, recover automatically where es-dr:recovery.auto allows. Runs until SIGINT/SIGTERM.");
        o.Stack.AddTo(command);
        if (serve) o.Interval.Description = "time between samples of every region's CCR followers for /metrics: 5s, 500ms, 1m (default 5s)";
        command.Options.Add(o.Interval);
        command.Options.Add(o.Listen);
        command.Options.Add(o.TokenFile);
        command.Options.Add(o.DryRun);
        if (!serve) command.Options.Add(o.Once);
        command.SetAction((result, ct) => RunAsync(host, new WatchRequest(
            result.GetRequiredValue(o.Stack.StackFile), result.GetValue(o.Stack.Stack), result.GetValue(o.Stack.AuditDb), result.GetValue(o.Stack.Json),
            result.GetValue(o.Interval), result.GetRequiredValue(o.Listen), result.GetValue(o.TokenFile), result.GetValue(o.DryRun),
            !serve && result.GetValue(o.Once), serve), ct));
        return command;
    }

    internal sealed record WatchRequest(
        FileInfo StackFile, string? Stack, FileInfo? AuditDb, bool Json, string? Interval, string Listen, FileInfo? TokenFile, bool DryRun, bool Once, bool Serve)
    {
        /// <summary>The stack file as it was just before the daemon read it.</summary>
        public StackFileStamp? Loaded { get; init; }
    }

    public static async Task<int> RunAsync(OperatorHost host, WatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(request);
        var error = host.Console.Error;
        var interval = TimeSpan.FromSeconds(5);
        if (request.Interval is { } text && !TryDuration(text, out interval))
            return await Usage(error, $"--interval: '{text}' is not a positive duration (e.g. 5s, 500ms, 1m)").ConfigureAwait(false);
        if (ListenAddress.Parse(request.Listen) is not { } listen)
            return await Usage(error, $"--listen: '{request.Listen}' is not address:port (e.g. {DefaultListen}, 0.0.0.0:9095)").ConfigureAwait(false);

        // The listener is the webhook: never without a token. --once only probes, so it needs none.
        string? secret = null;
        if (!request.Once)
        {
            if (request.TokenFile is { } file)
            {
                if (!file.Exists)
                {
                    await error.WriteLineAsync($"error: --webhook-token-file: {file.FullName} does not exist").ConfigureAwait(false);
                    return ExitCodes.FileNotFound;
                }
                secret = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                secret = host.Environment(TokenVariable);
            }
            if (string.IsNullOrWhiteSpace(secret))
                return await Usage(error, $"the webhook needs a bearer token: --webhook-token-file FILE or ${TokenVariable} (the stack's es-dr:alertWebhookToken)").ConfigureAwait(false);
            // Before the stack is loaded (pulumi, credentials): a wrong address is said at once.
            if (listen.Problem() is { } problem)
            {
                await error.WriteLineAsync("error: " + problem.Message).ConfigureAwait(false);
                return problem.ExitCode;
            }
        }

        // Stamped before it is read: a change made while it loads is seen by the first round.
        request = request with { Loaded = StackFileStamp.Of(request.StackFile) };
        var (services, exit) = await host.OpenAsync(request.StackFile, request.Stack, request.AuditDb, request.DryRun, cancellationToken).ConfigureAwait(false);
        if (services is null) return exit;
        using (services)
        {
            try
            {
                return await WatchAsync(host, services, request, interval, listen, secret, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (OperatorHost.IsAuditFailure(e))
            {
                return OperatorHost.AuditUnusable(error, services.AuditPath, e);
            }
        }
    }

    private static async Task<int> WatchAsync(
        OperatorHost host, RecoveryServices services, WatchRequest request, TimeSpan interval, ListenAddress listen, string? secret,
        CancellationToken cancellationToken)
    {
        var error = host.Console.Error;
        DaemonReloader<DaemonWorld>? reloader = null;
        var events = new EventWriter(host.Console.Out, request.Json, host.Time,
            text => Redact((reloader?.Current.Services ?? services).Redactor.Redact(text), secret));
        var deployment = services.Deployment;
        // A daemon allowed to recover runs recovery's pulumi commands: refuse a CLI without their flags at start.
        if ((deployment.Config.Recovery?.Auto ?? []).Count > 0
            && await host.RequireRecoveryPulumiAsync(services, cancellationToken).ConfigureAwait(false) is var refused and not ExitCodes.Ok)
            return refused;
        WatchLoop? loop = null;
        HealthSnapshot? LatestProbe() => loop?.History.Recent().LastOrDefault(s => s.Vantage == "probe");
        var initial = DaemonWorld.Build(services, request.Loaded, request.Serve, LatestProbe, events);
        var watchOptions = new WatchOptions
        {
            Interval = interval,
            AutoRecover = initial.Target.AutoRecover,
            Thresholds = services.Thresholds,
        };
        // The stack read again as at start: the same file, stack, audit database and mode; problems said as one line.
        async Task<WorldLoad<DaemonWorld>> Load(CancellationToken ct)
        {
            var stamp = StackFileStamp.Of(request.StackFile);
            using var problems = new StringWriter();
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(ReloadTimeout);
            var (loaded, _) = await host.OpenAsync(request.StackFile, request.Stack, request.AuditDb, request.DryRun, problems, bounded.Token).ConfigureAwait(false);
            if (loaded is null)
                return new WorldLoad<DaemonWorld>(null, problems.ToString().Trim().Replace('\n', ' '));
            // As at start: a stack that now lets the daemon act needs a pulumi CLI with recovery's flags.
            if ((loaded.Deployment.Config.Recovery?.Auto ?? []).Count > 0)
            {
                try
                {
                    await loaded.EnsurePulumiCanRecoverAsync(bounded.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PulumiTooOldException or PulumiCommandFailedException or PulumiNotInstalledException)
                {
                    loaded.Dispose();
                    return new WorldLoad<DaemonWorld>(null, e.Message);
                }
            }
            return new WorldLoad<DaemonWorld>(DaemonWorld.Build(loaded, stamp, request.Serve, LatestProbe, events), null);
        }
        using var worlds = reloader = new DaemonReloader<DaemonWorld>(initial, request.StackFile, w => w.Stamp, Load, host.Time, ReloadRetry);
        long started = 0;

        async Task<PipelineOutcome> Recover(Detection detection, CancellationToken ct)
        {
            var outcome = await worlds.RunRecoveryAsync(async world =>
            {
                // As the operator commands: an unfinished recovery is resumed by a person before anything new runs.
                if (world.Audit.Unfinished() is [var unfinished, ..])
                    return new PipelineOutcome.Skipped($"recovery {unfinished.Id} ({unfinished.Summary}) did not finish; resume it with --resume {unfinished.Id}");
                if (detection.PromotionLag is null && DaemonPlanning.MayFailOver(detection.Diagnosis.Code))
                    detection = detection with { PromotionLag = DaemonPlanning.FollowerLag(world.Deployment, LatestProbe()) };
                return await world.Pipeline.HandleAsync(detection, ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            if (outcome is PipelineOutcome.Acted or PipelineOutcome.DryRun) Interlocked.Increment(ref started);
            events.Outcome(detection.Diagnosis, outcome);
            // What it changed (config, outputs) is what the next decision must be made in.
            if (outcome is PipelineOutcome.Acted acted)
                await worlds.ReloadAsync($"recovery {acted.RecoveryId} {AuditNames.Name(acted.Status)}", ct).ConfigureAwait(false);
            return outcome;
        }

        var webhook = request.Once ? ((WebhookOptions, WebhookToken)?)null
            : (new WebhookOptions { Url = listen.Url, ReplayDatabase = services.AuditPath }, WebhookToken.FromSecret(secret!));
        AlertmanagerApi? activeAlerts;
        try
        {
            activeAlerts = ActiveAlerts(deployment, request.Once, host.Time);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or UriFormatException)
        {
            await error.WriteLineAsync("error: es-dr:monitoring.alertmanagerUrl: " + e.Message).ConfigureAwait(false);
            return ExitCodes.InvalidConfig;
        }
        using var pulling = activeAlerts;
        // serve probes nothing for its analysis, but samples the CCR followers its /metrics exposes (watch's probe reads them).
        var followers = request.Serve && !request.Once
            ? new FollowerSampler(initial.FollowerReaders(), watchOptions.Interval, watchOptions.ProbeTimeout, host.Time, events)
            : null;
        await using var service = WatchService.Create(watchOptions, initial.Target.Expected, initial.Target.Probes, initial.Target.Peers, webhook, Recover,
            host.Time, events, l => Metrics(l, worlds, Interlocked.Read(ref started), followers), activeAlerts);
        loop = service.Loop;
        worlds.Reloaded += (before, now, reason) =>
        {
            loop.Retarget(now.Target);
            followers?.Retarget(now.FollowerReaders());
            events.Reloaded(reason, now.Describe(before));
        };
        worlds.ReloadFailed += (reason, problem) => events.ReloadFailed(reason, problem, ReloadRetry);
        var rounds = new RoundReporter(events, () => worlds.Current.Services);
        // Config publications an earlier recovery left pending (its push failed) are retried between rounds, by the
        // current stack's publisher.
        var publications = request.DryRun ? null
            : new Execute.Git.PendingPublicationRetry(() => worlds.Current.Services.ConfigPublisher(), host.Time, events);
        loop.RoundCompleted += _ =>
        {
            rounds.Report(service.Loop);
            worlds.OnRound(cancellationToken);
            publications?.Kick(cancellationToken);
        };

        if (request.Once)
        {
            await loop.RoundAsync(cancellationToken).ConfigureAwait(false);
            await loop.DecidePendingAsync(cancellationToken).ConfigureAwait(false);
            await worlds.StopAsync().ConfigureAwait(false);
        if (publications is not null) await publications.Completion.ConfigureAwait(false);
            if (loop.Decisions.Any(d => d.Action == WatchAction.Failed || d.Outcome is PipelineOutcome.Acted { Status: not RecoveryStatus.Succeeded }))
                return ExitCodes.RecoveryFailed;
            return rounds.Healthy ? ExitCodes.Ok : ExitCodes.Degraded;
        }

        try
        {
            await service.StartWebhookAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (listen.Describe(e) is { } failed)
        {
            // Kestrel could not bind what the check before loading could (the port was taken meanwhile).
            await error.WriteLineAsync("error: " + failed.Message).ConfigureAwait(false);
            return failed.ExitCode;
        }
        events.Started(request.Serve ? "serve" : "watch", service.WebhookAddress!.ToString(), interval, initial.Allowed.Select(a => a.ToString()), request.DryRun);
        // Until SIGINT/SIGTERM: the loop stops probing, lets the pipeline finish recording the step it was in
        // (the lease is released as the recovery unwinds), then the listener closes with the service.
        var sampling = followers?.RunAsync(cancellationToken) ?? Task.CompletedTask;
        await loop.RunAsync(cancellationToken).ConfigureAwait(false);
        await sampling.ConfigureAwait(false);
        await worlds.StopAsync().ConfigureAwait(false);
        if (publications is not null) await publications.Completion.ConfigureAwait(false);
        events.Stopped(loop.Rounds);
        return ExitCodes.Ok;
    }

    /// <summary>How long a reload may take (a pulumi call and the connections); one that does not finish keeps the current world.</summary>
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromMinutes(2);

    /// <summary>After a reload failed, the next try comes no sooner than this.</summary>
    private static readonly TimeSpan ReloadRetry = TimeSpan.FromSeconds(30);

    private static string Metrics(WatchLoop loop, DaemonReloader<DaemonWorld> worlds, long started, FollowerSampler? followers)
    {
        var world = worlds.Current;
        return PrometheusText.Render(DaemonMetrics.Collect(loop, world.ClusterNames, world.PauseReason is not null, started, followers?.Latest)
            .Concat(DaemonMetrics.Stack(world.Deployment.Config.ActiveRegion, worlds.Reloads)).ToList());
    }

    /// <summary>
    /// Alertmanager's API for the stack's monitoring site (over https, trusting the stack's CA only); null without
    /// monitoring, and for <c>--once</c>, which has no alerts vantage.
    /// </summary>
    private static AlertmanagerApi? ActiveAlerts(Deployment deployment, bool once, TimeProvider time) =>
        once || deployment.Config.Monitoring is not { } monitoring ? null
            : new AlertmanagerApi(new AlertmanagerApiOptions(new Uri(monitoring.AlertmanagerUrl), deployment.CaCertificatePem), time);

    private static string Redact(string text, string? secret) =>
        secret is { } s && s.Trim().Length > 0 ? text.Replace(s.Trim(), "***", StringComparison.Ordinal) : text;

    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || value * unit > 86_400) return false;
        duration = TimeSpan.FromSeconds(value * unit);
        return true;
    }

    private static async Task<int> Usage(TextWriter error, string message)
    {
        await error.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    /// <summary>
    /// After each round: the status of every region from the latest probe and the diagnoses in force. Logged only
    /// when that changes (the first round always), so a quiet daemon writes nothing.
    /// </summary>
    private sealed class RoundReporter(EventWriter events, Func<RecoveryServices> services)
    {
        private string? last;

        public bool Healthy { get; private set; } = true;

        public void Report(WatchLoop loop)
        {
            var probe = loop.History.Recent().LastOrDefault(s => s.Vantage == "probe");
            var problems = probe is null ? []
                : Evaluate(services(), probe).Regions
                    .SelectMany(r => r.Problems.Select(p => $"{r.Name}: {p}")).ToList();
            var diagnoses = loop.Active.Select(d => $"{d.Code} {d.Region}{(d.Node is null ? "" : " " + d.Node)}").ToList();
            Healthy = problems.Count == 0 && diagnoses.Count == 0;
            var key = string.Join('\n', problems.Concat(diagnoses));
            events.EndRound();
            if (key == last) return;
            last = key;
            events.Round(loop.Rounds, Healthy, problems, diagnoses);
        }

        private static StatusReport Evaluate(RecoveryServices services, HealthSnapshot probe) =>
            StatusReport.Evaluate(services.Deployment, [probe], services.Thresholds, services.ProbeProblems);
    }

    /// <summary>
    /// The daemon's output: human lines, or one JSON object per line with <c>--json</c>; everything passes the
    /// redactor (stack secrets and the webhook token). Also the loop's and pipeline's logger.
    /// </summary>
    private sealed class EventWriter(TextWriter output, bool asJson, TimeProvider time, Func<string, string> redact) : ILogger
    {
        private readonly Lock gate = new();
        private HashSet<string> previousRound = new(StringComparer.Ordinal);
        private HashSet<string> thisRound = new(StringComparer.Ordinal);

        public void Started(string mode, string listen, TimeSpan interval, IEnumerable<string> auto, bool dryRun)
        {
            var autoList = auto.ToList();
            Write(new JsonObject
            {
                ["event"] = "started", ["mode"] = mode, ["listen"] = listen, ["intervalSeconds"] = interval.TotalSeconds,
                ["auto"] = new JsonArray([.. autoList.Select(a => (JsonNode)a)]), ["dryRun"] = dryRun,
            }, $"{mode}: listening on {listen} (POST /alerts, GET /metrics){(mode == "watch" ? ", probing" : ", sampling CCR")} every {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; automatic: {(autoList.Count == 0 ? "none (report only)" : string.Join(", ", autoList))}{(dryRun ? "; dry run" : "")}");
        }

        public void Reloaded(string reason, string now) =>
            Write(new JsonObject { ["event"] = "reloaded", ["reason"] = reason, ["now"] = now }, $"reloaded the stack ({reason}): {now}");

        public void ReloadFailed(string reason, string problem, TimeSpan retry) =>
            Write(new JsonObject { ["event"] = "reload-failed", ["reason"] = reason, ["problem"] = problem, ["retrySeconds"] = retry.TotalSeconds },
                $"cannot reload the stack ({reason}): {problem}; still protecting the stack as last loaded, trying again in {retry.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");

        public void Stopped(long rounds) =>
            Write(new JsonObject { ["event"] = "stopped", ["rounds"] = rounds }, $"stopped after {rounds} rounds");

        public void Round(long round, bool healthy, IReadOnlyList<string> problems, IReadOnlyList<string> diagnoses)
        {
            Write(new JsonObject
            {
                ["event"] = "round", ["round"] = round, ["healthy"] = healthy,
                ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]),
                ["diagnoses"] = new JsonArray([.. diagnoses.Select(d => (JsonNode)d)]),
            }, $"round {round}: " + (healthy ? "healthy"
                : string.Join("; ", diagnoses.Select(d => "diagnosis " + d).Concat(problems))));
        }

        /// <summary>Every round's end: a log line said in this round is not said again while the next round repeats it.</summary>
        public void EndRound()
        {
            lock (gate)
                (previousRound, thisRound) = (thisRound, new HashSet<string>(StringComparer.Ordinal));
        }

        public void Outcome(Diagnosis diagnosis, PipelineOutcome outcome)
        {
            var (name, id, detail) = outcome switch
            {
                PipelineOutcome.Acted a => (a.Status == RecoveryStatus.Succeeded ? "succeeded" : "failed", a.RecoveryId, a.Error),
                PipelineOutcome.DryRun d => ("dry-run", d.RecoveryId, "plan recorded, nothing run"),
                PipelineOutcome.Blocked b => ("blocked", null, $"{b.Rule}: {b.Reason}"),
                PipelineOutcome.Vetoed v => ("vetoed", v.RecoveryId, v.Reason),
                PipelineOutcome.Skipped s => ("skipped", null, s.Reason),
                _ => ("unknown", null, null),
            };
            var config = (outcome as PipelineOutcome.Acted)?.Config;
            var json = new JsonObject
            {
                ["event"] = "recovery", ["diagnosis"] = diagnosis.Code.ToString(), ["region"] = diagnosis.Region, ["node"] = diagnosis.Node,
                ["outcome"] = name, ["recoveryId"] = id, ["detail"] = detail,
            };
            if (config is not null) json["config"] = config.Detail;
            Write(json, $"{diagnosis.Code} {diagnosis.Region}{(diagnosis.Node is null ? "" : " " + diagnosis.Node)}: {name}{(id is null ? "" : $" (recovery {id})")}{(detail is null ? "" : ": " + detail)}"
                + (config is null ? "" : "; " + config.Detail));
        }

        private void Write(JsonObject json, string human)
        {
            string line;
            if (asJson)
            {
                var withTime = new JsonObject { ["time"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
                foreach (var (k, v) in json) withTime[k] = v?.DeepClone();
                line = withTime.ToJsonString(JsonOutput.Lines);
            }
            else
            {
                line = $"{time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {human}";
            }
            line = redact(line);
            lock (gate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }

        IDisposable? ILogger.BeginScope<TState>(TState state) => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        // The loop's own "handed to the pipeline" line repeats Outcome; a line the previous round said too (a peer that
        // cannot be asked, every round) is left out, so a daemon whose world does not change stays quiet.
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            if (message.Contains(" handed to the pipeline: ", StringComparison.Ordinal)) return;
            lock (gate)
            {
                thisRound.Add(message);
                if (previousRound.Contains(message)) return;
            }
            Write(new JsonObject { ["event"] = "log", ["level"] = logLevel.ToString().ToLowerInvariant(), ["message"] = message },
                $"{logLevel.ToString().ToLowerInvariant()}: {message}");
        }
    }
}
