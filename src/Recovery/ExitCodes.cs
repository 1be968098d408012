namespace EsDr.Recovery;

/// <summary>The recovery program's exit codes, documented in docs/recovery.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The stack config is invalid or names no region the scenario needs.</summary>
    public const int InvalidConfig = 1;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 2;
    /// <summary><c>status</c>: the stack answers, but some region has a problem (each one is listed).</summary>
    public const int Degraded = 3;
    /// <summary>A file named on the command line does not exist.</summary>
    public const int FileNotFound = 4;
    /// <summary>An action was not confirmed: the operator said no, or stdin is not a terminal and <c>--yes</c> was not given.</summary>
    public const int NotConfirmed = 5;
    /// <summary>An action did not run: a guard rail blocked it, a pre-action hook vetoed it, another instance holds the lease, or an unfinished recovery waits to be resumed.</summary>
    public const int NotRun = 6;
    /// <summary>An action ran and a step failed; resume it with <c>--resume ID</c> once the cause is fixed.</summary>
    public const int RecoveryFailed = 7;
    /// <summary>The installed pulumi CLI is older than the oldest one with every flag recovery uses (named on stderr); nothing was changed.</summary>
    public const int PulumiTooOld = 8;
    /// <summary>
    /// <c>check-drift</c>: the config would change a recovery-owned field against what is deployed (each one named on
    /// stdout with the recovery command that changes it). Same value as <see cref="PulumiTooOld"/>, which only actions return.
    /// </summary>
    public const int Drift = 8;
    /// <summary>The deployed stack could not be read (pulumi missing or failing, no outputs, no credentials), or a probe needed for planning failed (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;
    /// <summary>
    /// The audit database cannot be used: a directory, not an SQLite database, corrupt, read-only, or not creatable
    /// (its path and the reason on stderr). Refused at start, before anything changed (EX_IOERR).
    /// </summary>
    public const int AuditDatabaseUnusable = 74;
}
