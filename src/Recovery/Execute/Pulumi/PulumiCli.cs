using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>What one <c>pulumi</c> run produced.</summary>
internal sealed record PulumiResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The Pulumi CLI behind one abstraction, as the Automation API does it: a command in, exit code and output out.
/// A non-zero exit is raised as a <see cref="PulumiCommandFailedException"/> (or a typed subclass for a known failure).
/// </summary>
internal interface IPulumiCli
{
    Task<PulumiResult> RunAsync(PulumiCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync(PulumiCommand, CancellationToken)"/>, also handing each line of stdout to
    /// <paramref name="outputLine"/> as it is written (redacted), so a person can watch a long <c>up</c>. A CLI that
    /// cannot stream hands over nothing.
    /// </summary>
    Task<PulumiResult> RunAsync(PulumiCommand command, Action<string> outputLine, CancellationToken cancellationToken) =>
        RunAsync(command, cancellationToken);

    /// <summary>What <c>pulumi version</c> prints (e.g. <c>v3.259.0</c>), trimmed; asked of the CLI once.</summary>
    Task<string> VersionAsync(CancellationToken cancellationToken);
}

/// <summary>A <c>pulumi</c> command exited non-zero. The message carries the redacted command line and the tail of stderr.</summary>
internal class PulumiCommandFailedException(string commandLine, int exitCode, string stderrTail, string? reason = null)
    : Exception($"{reason ?? "pulumi command failed"} (exit {exitCode}): {commandLine}\n{stderrTail}")
{
    /// <summary>The command as run, with secret values replaced by <c>[secret]</c>.</summary>
    public string CommandLine { get; } = commandLine;
    public int ExitCode { get; } = exitCode;
    /// <summary>The last lines of stderr, with secret values replaced by <c>[secret]</c>.</summary>
    public string StderrTail { get; } = stderrTail;
}

/// <summary>
/// Another update holds the stack: the local backend's lock ("the stack is currently locked") or the
/// service's "[409] Conflict: Another update is currently in progress". The Automation API reports both as
/// one error (its <c>ConcurrentUpdateException</c>), so this is one type too. Retry later, or <c>pulumi cancel</c>.
/// </summary>
internal sealed class StackLockedException(string commandLine, int exitCode, string stderrTail)
    : PulumiCommandFailedException(commandLine, exitCode, stderrTail, "the stack is locked by another update");

/// <summary>The stack named by the command does not exist ("no stack named … found").</summary>
internal sealed class StackNotFoundException(string commandLine, int exitCode, string stderrTail)
    : PulumiCommandFailedException(commandLine, exitCode, stderrTail, "the stack does not exist");

/// <summary>The installed <c>pulumi</c> lacks flags recovery's commands use; the message names the minimum version.</summary>
internal sealed class PulumiTooOldException(string message) : Exception(message);

/// <summary>The <c>pulumi</c> executable could not be found.</summary>
internal sealed class PulumiNotInstalledException(string message) : Exception(message);
