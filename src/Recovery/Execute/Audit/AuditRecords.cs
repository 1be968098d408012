using System.Globalization;
using System.Security.Cryptography;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>What started a recovery.</summary>
internal enum RecoveryTrigger { Timer, Webhook, Operator }

internal enum RecoveryStatus { Running, Succeeded, Failed, Vetoed }

internal enum StepStatus { Started, Succeeded, Failed, Skipped }

/// <summary>One recorded step of a recovery. <see cref="Attempts"/> counts how often it was started (a resume re-runs a crashed step).</summary>
internal sealed record StepRecord(
    int Index, string Description, string Rendered, StepStatus Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Detail, int Attempts);

/// <summary>One recorded recovery with its steps, in order.</summary>
internal sealed record RecoveryRecord(
    string Id, string Kind, RecoveryTrigger Trigger, string Summary,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, RecoveryStatus Status, IReadOnlyList<StepRecord> Steps);

/// <summary>Recovery ids: <c>rec-20261122-001234-3f9a1c</c> — UTC start time plus a short random suffix.</summary>
internal static class RecoveryId
{
    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow().UtcDateTime;
        return "rec-" + now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-"
            + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    }
}

/// <summary>The text forms stored in the database (stable, lower case).</summary>
internal static class AuditNames
{
    public static string Name(RecoveryTrigger t) => t switch
    {
        RecoveryTrigger.Timer => "timer",
        RecoveryTrigger.Webhook => "webhook",
        RecoveryTrigger.Operator => "operator",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static string Name(RecoveryStatus s) => s switch
    {
        RecoveryStatus.Running => "running",
        RecoveryStatus.Succeeded => "succeeded",
        RecoveryStatus.Failed => "failed",
        RecoveryStatus.Vetoed => "vetoed",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(StepStatus s) => s switch
    {
        StepStatus.Started => "started",
        StepStatus.Succeeded => "succeeded",
        StepStatus.Failed => "failed",
        StepStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static RecoveryTrigger ParseTrigger(string s) => Parse<RecoveryTrigger>(s, Name);
    public static RecoveryStatus ParseRecoveryStatus(string s) => Parse<RecoveryStatus>(s, Name);
    public static StepStatus ParseStepStatus(string s) => Parse<StepStatus>(s, Name);

    private static T Parse<T>(string s, Func<T, string> name) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
        {
            if (name(v) == s)
                return v;
        }
        throw new InvalidDataException($"unknown {typeof(T).Name} '{s}' in the audit trail");
    }
}
