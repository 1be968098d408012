using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Operate.Terminal;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace EsDr.Recovery.Operate;

/// <summary>The terminal an operator command talks to. <see cref="InputIsTerminal"/> decides whether it may ask for confirmation.</summary>
internal sealed record OperatorConsole(TextWriter Out, TextWriter Error, TextReader In, bool InputIsTerminal)
{
    /// <summary>
    /// Stdout as a terminal a person watches (tables, a live step display), or null for plain, stable lines. Decided
    /// once, by <see cref="TerminalChoice"/>; a command with <c>--json</c> never uses it.
    /// </summary>
    public IAnsiConsole? Terminal { get; init; }
}

/// <summary>
/// What operator commands take from the process — console, environment, the <c>pulumi</c> to run, time — in one
/// place, so tests hand in their own (a captured console, the stand-in <c>pulumi</c>, a manual clock).
/// </summary>
internal sealed record OperatorHost(
    OperatorConsole Console,
    Func<string, string?> Environment,
    Func<DirectoryInfo, PulumiProcess> Pulumi,
    TimeProvider Time,
    ServiceOptions Services)
{
    public const string MySqlCaVariable = "ESDR_MYSQL_CA_FILE";
    public const string EtcdCaVariable = "ESDR_ETCD_CA_FILE";

    public static OperatorHost FromProcess() => new(
        new OperatorConsole(System.Console.Out, System.Console.Error, System.Console.In, !System.Console.IsInputRedirected)
        {
            Terminal = TerminalChoice.Decide(System.Console.IsOutputRedirected, System.Environment.GetEnvironmentVariable, System.Console.Out),
        },
        System.Environment.GetEnvironmentVariable,
        dir => new PulumiProcess(new PulumiProcessOptions(dir.FullName)),
        TimeProvider.System,
        new ServiceOptions
        {
            MySqlCaFile = System.Environment.GetEnvironmentVariable(MySqlCaVariable),
            EtcdCaFile = System.Environment.GetEnvironmentVariable(EtcdCaVariable),
        });

    /// <summary>
    /// Loads the stack and builds the services, or prints why not and gives the exit code. The pulumi project is
    /// the stack file's directory.
    /// </summary>
    public Task<(RecoveryServices? Services, int ExitCode)> OpenAsync(
        FileInfo stackFile, string? stackName, FileInfo? auditDb, bool dryRun, CancellationToken cancellationToken) =>
        OpenAsync(stackFile, stackName, auditDb, dryRun, Console.Error, cancellationToken);

    /// <summary>As <see cref="OpenAsync(FileInfo, string?, FileInfo?, bool, CancellationToken)"/>, saying why not on <paramref name="error"/> (the daemon's reload logs it).</summary>
    public async Task<(RecoveryServices? Services, int ExitCode)> OpenAsync(
        FileInfo stackFile, string? stackName, FileInfo? auditDb, bool dryRun, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stackFile);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var pulumi = Pulumi(stackFile.Directory!);
            var deployment = await DeploymentLoader.LoadAsync(new StackSource(stackFile, stackName), pulumi, pulumi, Environment, cancellationToken)
                .ConfigureAwait(false);
            var options = Services with { DryRun = dryRun, AuditDatabase = auditDb?.FullName ?? Services.AuditDatabase };
            return (RecoveryServices.Create(deployment, options, pulumi, Time), ExitCodes.Ok);
        }
        catch (ConfigFileUnreadableException e)
        {
            // Missing, a directory, a FIFO or a device, too large, not UTF-8: said by the reader, before anything is opened.
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return (null, ExitCodes.FileNotFound);
        }
        catch (InvalidConfigException e)
        {
            foreach (var problem in e.Errors) await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return (null, ExitCodes.InvalidConfig);
        }
        catch (Exception e) when (e is DeploymentUnavailableException or PulumiNotInstalledException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return (null, ExitCodes.Unavailable);
        }
    }

    /// <summary>
    /// Retries the config publications an earlier recovery left pending (its push failed), saying on stderr how that
    /// went: <c>status</c> before it reports, an action after it ran (never before: a failover must not wait on the git
    /// host). An audit database that cannot be used is the command's to report.
    /// </summary>
    public async Task RetryConfigPublicationsAsync(RecoveryServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        Execute.Git.PublicationRetry? retry;
        try
        {
            retry = await services.RetryConfigPublicationsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsAuditFailure(e))
        {
            return;
        }
        if (retry is null) return;
        var ids = string.Join(", ", retry.RecoveryIds);
        await Console.Error.WriteLineAsync(services.Redactor.Redact($"recovery {ids}: {retry.Result.Detail}")).ConfigureAwait(false);
    }

    /// <summary>
    /// For commands that may change the stack, before they change anything: refuses a pulumi CLI that lacks flags
    /// recovery's commands use, naming the minimum version (one <c>pulumi version</c> call).
    /// </summary>
    public async Task<int> RequireRecoveryPulumiAsync(RecoveryServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            await services.EnsurePulumiCanRecoverAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (PulumiTooOldException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.PulumiTooOld;
        }
        catch (Exception e) when (e is PulumiCommandFailedException or PulumiNotInstalledException)
        {
            await Console.Error.WriteLineAsync($"error: cannot ask pulumi its version: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }
    }

    /// <summary>An error that means the audit database cannot be used (SQLite is only ever the audit database here).</summary>
    public static bool IsAuditFailure(Exception error) => error is AuditDatabaseException or SqliteException;

    /// <summary>
    /// The one place an unusable audit database becomes output: one line naming the file and why (no stack trace)
    /// and <see cref="ExitCodes.AuditDatabaseUnusable"/>, whether it failed at open or in the middle of a command.
    /// </summary>
    public static int AuditUnusable(TextWriter error, string auditPath, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(error);
        error.WriteLine($"error: {AuditDatabaseException.From(auditPath, failure).Message}");
        return ExitCodes.AuditDatabaseUnusable;
    }
}
