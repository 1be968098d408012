using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Execute.Git;

/// <summary>How one <c>git</c> run ended; <see cref="TimedOut"/>: it was killed at its time limit.</summary>
internal sealed record GitResult(int ExitCode, string Output, string Error, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>The last lines git wrote to stderr (its reason), without credentials from URLs.</summary>
    public string Reason(string command) =>
        TimedOut ? $"git {command} did not finish in time"
        : GitProcess.Scrub(LastLines(Error.Length > 0 ? Error : Output)) is { Length: > 0 } reason ? reason
        : $"git {command} exited {ExitCode}";

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("hint:", StringComparison.Ordinal)).ToList();
        return string.Join("; ", lines.TakeLast(3));
    }
}

/// <summary>The <c>git</c> binary is not installed (or not on PATH).</summary>
internal sealed class GitNotInstalledException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs the real <c>git</c>: arguments as a list (no shell), stdin closed, output captured, a time limit per run
/// (the process tree is killed at it), and an environment that never waits for a person — no terminal prompt,
/// SSH in batch mode unless the caller's own <c>GIT_SSH_COMMAND</c> says otherwise, C locale so messages read the same.
/// </summary>
internal sealed class GitProcess(TimeSpan timeout, string executable = "git")
{
    private const int MaxOutput = 64 * 1024;

    public TimeSpan Timeout { get; } = timeout;

    public async Task<GitResult> RunAsync(string workingDirectory, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GCM_INTERACTIVE"] = "never";
        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_EDITOR"] = "true";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GIT_SSH_COMMAND")))
            start.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new GitNotInstalledException($"cannot run {executable}: {e.Message} (is git installed and on PATH?)", e);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }
        return new GitResult(timedOut ? -1 : process.ExitCode, Bounded(await stdout.ConfigureAwait(false)), Bounded(await stderr.ConfigureAwait(false)), timedOut);
    }

    private static string Bounded(string text) => text.Length > MaxOutput ? text[..MaxOutput] : text;

    private static readonly Regex UrlCredentials = new(@"\b([a-z][a-z0-9+.-]*://)[^\s/@]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Text with the user part of every URL removed (<c>https://user:token@host</c> and <c>https://token@host</c> both
    /// become <c>https://host</c>): git names the remote's URL in its errors, and a token often rides in it.
    /// </summary>
    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UrlCredentials.Replace(text, "$1");
    }
}
