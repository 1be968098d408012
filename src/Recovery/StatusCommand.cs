using System.CommandLine;
using System.Text.Json;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Operate.Terminal;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery status [--json]</c>: every region's state and generation, endpoint health, cluster health,
/// master and nodes (expected vs present), followers with lag and fatal errors, and the database's role,
/// read_only, replica threads and lag — from the stack's outputs and one live probe of each region.
/// Also whether recoveries are paused, which regions are in a block period and the operators' latest interventions.
/// Exits 0 when healthy, <see cref="ExitCodes.Degraded"/> when any region has a problem.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(OperatorHost host)
    {
        var options = new OperatorOptions();
        var command = new Command("status", "Show the health of every region, cluster, node, replication link and database (exit 0 healthy, 3 degraded).");
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ExecuteAsync(host,
            result.GetRequiredValue(options.StackFile), result.GetValue(options.Stack), result.GetValue(options.AuditDb),
            result.GetValue(options.Json), cancellationToken));
        return command;
    }

    public static async Task<int> ExecuteAsync(OperatorHost host, FileInfo stackFile, string? stack, FileInfo? auditDb, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (services, exit) = await host.OpenAsync(stackFile, stack, auditDb, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (services is null) return exit;
        using (services)
        {
            RecoveryControls controls;
            try
            {
                controls = RecoveryControls.Read(services.AuditPath, services.PipelineOptions,
                    services.Deployment.Config.Regions.Select(r => r.Name), host.Time.GetUtcNow());
            }
            catch (Exception e) when (OperatorHost.IsAuditFailure(e))
            {
                return OperatorHost.AuditUnusable(host.Console.Error, services.AuditPath, e);
            }
            await host.RetryConfigPublicationsAsync(services, cancellationToken).ConfigureAwait(false);
            var snapshot = await services.ProbeAllAsync(cancellationToken).ConfigureAwait(false);
            var report = StatusReport.Evaluate(services.Deployment, [snapshot], services.Thresholds, services.ProbeProblems) with { Controls = controls, UnpublishedConfig = UnpublishedConfig(services) };
            await WriteAsync(host.Console, report, json, services.Redactor).ConfigureAwait(false);
            return report.Healthy ? ExitCodes.Ok : ExitCodes.Degraded;
        }
    }

    /// <summary>Config changes of earlier recoveries not on the git remote yet (the command's own retry already tried them).</summary>
    private static IReadOnlyList<Execute.Git.PublicationRecord> UnpublishedConfig(RecoveryServices services)
    {
        if (!File.Exists(services.AuditPath)) return [];
        try
        {
            return services.ConfigPublisher().Pending();
        }
        catch (Exception e) when (OperatorHost.IsAuditFailure(e))
        {
            // status reports the stack's health; an audit database it cannot read only hides what it would add.
            return [];
        }
    }

    /// <summary>
    /// JSON with <c>--json</c>; a table when a person watches stdout; else the plain lines scripts and logs rely on.
    /// Whichever it is passes through the redactor.
    /// </summary>
    public static async Task WriteAsync(OperatorConsole console, StatusReport report, bool json, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(redactor);
        if (!json && console.Terminal is { } terminal)
        {
            terminal.Write(StatusTable.Build(report, redactor));
            return;
        }
        var output = json
            ? report.ToJson().ToJsonString(JsonOutput.Indented) + "\n"
            : report.Render();
        await console.Out.WriteAsync(redactor.Redact(output)).ConfigureAwait(false);
    }
}
