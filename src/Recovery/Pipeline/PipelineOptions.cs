namespace EsDr.Recovery.Pipeline;

/// <summary>A hook: a shell command run with the recovery's facts in <c>ESDR_*</c> environment variables.</summary>
internal sealed record Hook(string Name, string Command);

/// <summary>The pipeline's guard-rail settings and hooks (read from config in one place, by the caller).</summary>
internal sealed record PipelineOptions
{
    /// <summary>While this file exists, nothing acts (<see cref="GuardRails.PauseSwitch"/>). Null: no pause switch.</summary>
    public string? PauseFile { get; init; }

    /// <summary>After a recovery in a region, another there is blocked this long unless acknowledged.</summary>
    public TimeSpan BlockPeriod { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The most a failover's promotion may lose (replication lag) without <see cref="Detection.Forced"/>.</summary>
    public TimeSpan MaxPromotionLag { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<Hook> PreHooks { get; init; } = [];

    public IReadOnlyList<Hook> PostHooks { get; init; } = [];

    /// <summary>How long a hook may run before it is killed (a killed pre-hook vetoes).</summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>No-op mode: everything runs (rules, hooks, lease) except the plan's steps, which are only recorded.</summary>
    public bool DryRun { get; init; }

    /// <summary>Who this instance is, for the lease.</summary>
    public string HolderId { get; init; } = Environment.MachineName + "/" + Environment.ProcessId;
}
