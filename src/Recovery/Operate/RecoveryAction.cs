using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Git;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Operate;

/// <summary>How an operator asked for an action: skip confirmation, only record, machine output, or resume a recovery by id.</summary>
internal sealed record ActionRequest(bool Yes, bool DryRun, bool Json, string? Resume);

/// <summary>
/// What every action command does around its planning: load the stack, refuse what cannot run whatever the world
/// looks like (no one to confirm: stdin not a terminal without <c>--yes</c>; the pause switch; an earlier recovery
/// unfinished) before probing anything, plan, show the plan, ask for confirmation, run it through the one pipeline
/// with a progress line per step (a live display of the steps when a person watches stdout), and print the recovery
/// id and outcome. <c>--resume ID</c> continues that recovery with its stored plan.
/// </summary>
internal static class RecoveryAction
{
    /// <summary>The command that runs each kind, for the messages that tell an operator what to type.</summary>
    public static string CommandFor(RecoveryKind kind) => kind switch
    {
        RecoveryKind.NodeRebuild => "rebuild-node",
        RecoveryKind.RegionFailover => "failover",
        RecoveryKind.RegionRebuild => "rebuild-region",
        RecoveryKind.Failback => "failback",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static async Task<int> RunAsync(
        OperatorHost host, FileInfo stackFile, string? stack, FileInfo? auditDb, ActionRequest request, RecoveryKind kind,
        Func<RecoveryServices, CancellationToken, Task<PlannedAction>>? plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(request);
        var (services, exit) = await host.OpenAsync(stackFile, stack, auditDb, request.DryRun, cancellationToken).ConfigureAwait(false);
        if (services is null) return exit;
        using (services)
        {
            try
            {
                return await RunAsync(host, services, request, kind, plan, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (OperatorHost.IsAuditFailure(e))
            {
                return OperatorHost.AuditUnusable(host.Console.Error, services.AuditPath, e);
            }
        }
    }

    private static async Task<int> RunAsync(
        OperatorHost host, RecoveryServices services, ActionRequest request, RecoveryKind kind,
        Func<RecoveryServices, CancellationToken, Task<PlannedAction>>? plan, CancellationToken cancellationToken)
    {
        var console = host.Console;
        if (await host.RequireRecoveryPulumiAsync(services, cancellationToken).ConfigureAwait(false) is var refused and not ExitCodes.Ok)
            return refused;
        var audit = services.OpenAudit();
        var plans = services.OpenPlans();
        // Every refusal that needs no look at the world comes before planning probes it: a region that cannot be
        // probed (exit 69) must not hide that the action could not have run anyway (5 or 6).
        if (CannotBeConfirmed(console, request))
            return await Fail(console, "refusing to act without confirmation: stdin is not a terminal; pass --yes to proceed (--dry-run records the plan without running it)",
                ExitCodes.NotConfirmed).ConfigureAwait(false);
        if (Paused(services) is { } paused)
            return await ReportOutcome(console, request, kind, null, paused, services.Redactor).ConfigureAwait(false);
        RecoveryPlan recoveryPlan;
        Detection? detection = null;
        if (request.Resume is { } id)
        {
            var (stored, refusal) = StoredPlan(audit, plans, id, kind);
            if (stored is null) return await Fail(console, refusal!.Value.Message, refusal.Value.Code).ConfigureAwait(false);
            recoveryPlan = stored;
        }
        else
        {
            if (audit.Unfinished() is [var unfinished, ..] && Enum.TryParse<RecoveryKind>(unfinished.Kind, out var unfinishedKind))
                return await Fail(console,
                    $"recovery {unfinished.Id} ({unfinished.Summary}) did not finish; resume it first: es-dr-recovery {CommandFor(unfinishedKind)} --resume {unfinished.Id}",
                    ExitCodes.NotRun).ConfigureAwait(false);
            try
            {
                var planned = await plan!(services, cancellationToken).ConfigureAwait(false);
                (recoveryPlan, detection) = (planned.Plan, planned.Detection);
            }
            catch (ActionPlanningException e)
            {
                return await Fail(console, e.Message, e.ExitCode).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                return await Fail(console, e.Message, ExitCodes.InvalidConfig).ConfigureAwait(false);
            }
        }

        var progressOut = request.Json ? console.Error : console.Out;
        await progressOut.WriteAsync((request.Resume is null ? "" : $"resuming {request.Resume}\n") + recoveryPlan.Render()).ConfigureAwait(false);
        if (!request.Yes && !request.DryRun)
        {
            await progressOut.WriteAsync($"Run these {recoveryPlan.Steps.Count} steps? [y/N] ").ConfigureAwait(false);
            var answer = (await console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
                return await Fail(console, "not confirmed; nothing was done", ExitCodes.NotConfirmed).ConfigureAwait(false);
        }

        var display = StepDisplays.For(console, request.Json, recoveryPlan, services.Redactor, host.Time, DoneEarlier(audit, request.Resume));
        var pipeline = services.Pipeline(recoveryPlan, audit, plans, display.Report, display.PulumiOutput);
        var outcome = await display.ShowWhileAsync(() => request.Resume is { } resumeId
            ? pipeline.ResumeAsync(resumeId, recoveryPlan, cancellationToken)
            : pipeline.HandleAsync(detection!, cancellationToken)).ConfigureAwait(false);
        var code = await ReportOutcome(console, request, recoveryPlan.Kind, recoveryPlan, outcome, services.Redactor).ConfigureAwait(false);
        // After the action, never before it; a recovery that published its own change already carried what was pending.
        if (outcome is not (PipelineOutcome.Acted { Config: not null } or PipelineOutcome.DryRun))
            await host.RetryConfigPublicationsAsync(services, cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>For a resume, the steps its earlier runs finished (the executor skips them); none for a new recovery.</summary>
    private static List<int> DoneEarlier(AuditTrail audit, string? resumeId) =>
        resumeId is null || audit.Recovery(resumeId) is not { } record
            ? []
            : record.Steps.Where(s => s.Status == StepStatus.Succeeded).Select(s => s.Index).ToList();

    /// <summary>Nobody can say yes: stdin is not a terminal and neither <c>--yes</c> nor <c>--dry-run</c> was given.</summary>
    private static bool CannotBeConfirmed(OperatorConsole console, ActionRequest request) =>
        !request.Yes && !request.DryRun && !console.InputIsTerminal;

    /// <summary>
    /// The pause switch, the one guard rail that needs no plan, as the pipeline words it; it stops a resume too. The
    /// pipeline checks it again when the action runs (the file may appear meanwhile).
    /// </summary>
    private static PipelineOutcome.Blocked? Paused(RecoveryServices services) =>
        services.PauseReason() is { } reason ? new PipelineOutcome.Blocked(GuardRails.PauseSwitch.Name, reason) : null;

    private static (RecoveryPlan? Plan, (string Message, int Code)? Refusal) StoredPlan(AuditTrail audit, PlanStore plans, string id, RecoveryKind kind)
    {
        var record = audit.Recovery(id);
        if (record is null) return (null, ($"no recovery {id} in the audit trail", ExitCodes.Usage));
        if (record.Status == RecoveryStatus.Succeeded) return (null, ($"recovery {id} already succeeded; nothing to resume", ExitCodes.NotRun));
        if (record.Status == RecoveryStatus.Vetoed) return (null, ($"recovery {id} was not run (vetoed or a dry run); plan a new one", ExitCodes.NotRun));
        var plan = plans.Load(id);
        if (plan is null) return (null, ($"recovery {id} has no stored plan to resume", ExitCodes.NotRun));
        if (plan.Kind != kind)
            return (null, ($"recovery {id} is a {plan.Kind}; resume it with es-dr-recovery {CommandFor(plan.Kind)} --resume {id}", ExitCodes.Usage));
        return (plan, null);
    }

    /// <param name="plan">Null when the action was refused before it was planned.</param>
    private static async Task<int> ReportOutcome(
        OperatorConsole console, ActionRequest request, RecoveryKind kind, RecoveryPlan? plan, PipelineOutcome outcome, Redactor redactor)
    {
        var (name, id, status, detail, code) = outcome switch
        {
            PipelineOutcome.Acted { Status: RecoveryStatus.Succeeded } a => ("succeeded", a.RecoveryId, AuditNames.Name(a.Status), null, ExitCodes.Ok),
            PipelineOutcome.Acted a => ("failed", a.RecoveryId, AuditNames.Name(a.Status), a.Error, ExitCodes.RecoveryFailed),
            PipelineOutcome.DryRun d => ("dry-run", d.RecoveryId, "recorded", "dry run: the plan is recorded, nothing was run", ExitCodes.Ok),
            PipelineOutcome.Blocked b => ("blocked", (string?)null, (string?)null, $"blocked by {b.Rule}: {b.Reason}", ExitCodes.NotRun),
            PipelineOutcome.Vetoed v => ("vetoed", v.RecoveryId, "vetoed", v.Reason, ExitCodes.NotRun),
            PipelineOutcome.Skipped s => ("skipped", null, null, s.Reason, ExitCodes.NotRun),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
        };
        detail = detail is null ? null : redactor.Redact(detail);
        var config = (outcome as PipelineOutcome.Acted)?.Config;
        if (request.Json)
        {
            var json = new JsonObject
            {
                ["outcome"] = name,
                ["recoveryId"] = id,
                ["status"] = status,
                ["detail"] = detail,
                ["kind"] = kind.ToString(),
                ["summary"] = plan?.Summary,
                ["steps"] = new JsonArray((plan?.Steps ?? []).Select(s => (JsonNode)s.Render()).ToArray()),
            };
            if (config is not null)
                json["config"] = new JsonObject { ["state"] = ConfigState(config.State), ["commit"] = config.Commit, ["detail"] = config.Detail };
            await console.Out.WriteLineAsync(redactor.Redact(json.ToJsonString(JsonOutput.Indented))).ConfigureAwait(false);
        }
        else
        {
            await console.Out.WriteLineAsync($"{kind} {name}{(id is null ? "" : $": recovery {id}")}").ConfigureAwait(false);
            if (detail is not null) await console.Out.WriteLineAsync("  " + detail).ConfigureAwait(false);
            if (config is not null) await console.Out.WriteLineAsync("  " + redactor.Redact(config.Detail)).ConfigureAwait(false);
            if (code == ExitCodes.RecoveryFailed && id is not null)
                await console.Out.WriteLineAsync($"  fix the cause, then: es-dr-recovery {CommandFor(kind)} --resume {id}").ConfigureAwait(false);
        }
        return code;
    }

    private static string ConfigState(PublicationState state) => state switch
    {
        PublicationState.Pushed => "pushed",
        PublicationState.NotPushed => "not-pushed",
        _ => "local",
    };

    private static async Task<int> Fail(OperatorConsole console, string message, int code)
    {
        await console.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return code;
    }
}
