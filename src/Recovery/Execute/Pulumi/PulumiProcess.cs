using System.Diagnostics;
using System.Text;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>How to start <c>pulumi</c>: in the project directory, with the given executable and environment overrides.</summary>
/// <param name="WorkingDirectory">The Pulumi project directory (where <c>Pulumi.yaml</c> is).</param>
internal sealed record PulumiProcessOptions(string WorkingDirectory)
{
    /// <summary>A path, or a bare name looked up on the (effective) <c>PATH</c>.</summary>
    public string Executable { get; init; } = "pulumi";

    /// <summary>Set (or, with a null value, removed) on top of the inherited environment; values are never logged.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);
}

/// <summary>
/// Runs the real <c>pulumi</c> binary as a subprocess, always with <c>--non-interactive</c>, and raises known
/// failures as typed exceptions. Runs with <c>--show-secrets</c> only in <see cref="ReadCredentialsAsync"/>, whose
/// output goes nowhere but into the returned in-memory <see cref="StackCredentials"/>.
/// </summary>
internal sealed class PulumiProcess(PulumiProcessOptions options) : IPulumiCli, ICredentialSource
{
    private const string NonInteractive = "--non-interactive";

    /// <summary>The one output recovery reads with <c>--show-secrets</c>.</summary>
    public const string CredentialsOutput = "credentials";

    private static readonly PulumiCommand VersionCommand = new(["version"], "read the pulumi CLI's version", "read-only");

    private string? version;

    public Task<PulumiResult> RunAsync(PulumiCommand command, CancellationToken cancellationToken) =>
        RunAsync(command, null, cancellationToken);

    public async Task<PulumiResult> RunAsync(PulumiCommand command, Action<string>? outputLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Args.Any(a => a == "--show-secrets" || a.StartsWith("--show-secrets=", StringComparison.Ordinal)))
            throw new ArgumentException("recovery never runs pulumi with --show-secrets", nameof(command));

        var args = WithNonInteractive(command.Args);
        var startInfo = StartInfo(args);
        var redactor = new SecretRedactor(SecretRedactor.FromEnvironment(startInfo.Environment).Concat(SecretRedactor.FromArguments(command.Args)));
        var lines = outputLine is null ? null : new Action<string>(line => outputLine(redactor.Redact(line)));
        var result = await RunAsync(startInfo, cancellationToken, lines).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw PulumiFailure.From(redactor.Redact(PulumiCommandLine(args)), result, redactor);
        return result;
    }

    /// <summary>
    /// <c>pulumi stack output credentials --json --show-secrets</c>: the only call that reveals secrets. Its stdout
    /// is parsed straight into <see cref="StackCredentials"/>; a failure reports the (redacted) command and stderr,
    /// never stdout.
    /// </summary>
    public async Task<StackCredentials> ReadCredentialsAsync(string stack, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stack);
        IReadOnlyList<string> args = ["stack", "output", CredentialsOutput, "--stack", stack, "--json", "--show-secrets", NonInteractive];
        PulumiFlags.Validate(args);
        var startInfo = StartInfo(args);
        var result = await RunAsync(startInfo, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var redactor = new SecretRedactor(SecretRedactor.FromEnvironment(startInfo.Environment));
            throw PulumiFailure.From(PulumiCommandLine(args), result with { Stdout = "" }, redactor);
        }
        return StackCredentials.Parse(result.Stdout);
    }

    /// <summary><c>pulumi version</c>: the installed CLI's version, trimmed. Run once; the CLI does not change under a recovery.</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        version ??= (await RunAsync(VersionCommand, cancellationToken).ConfigureAwait(false)).Stdout.Trim();
        return version;
    }

    /// <summary>Appends <c>--non-interactive</c> (before a <c>--</c> terminator, if any) unless already there.</summary>
    internal static IReadOnlyList<string> WithNonInteractive(IReadOnlyList<string> args)
    {
        if (args.Contains(NonInteractive)) return args;
        var list = args.ToList();
        var end = list.IndexOf("--");
        list.Insert(end < 0 ? list.Count : end, NonInteractive);
        return list;
    }

    private static string PulumiCommandLine(IReadOnlyList<string> args) =>
        "pulumi " + string.Join(' ', args.Select(PulumiCommand.ShellQuote));

    private ProcessStartInfo StartInfo(IReadOnlyList<string> args)
    {
        var startInfo = new ProcessStartInfo
        {
            WorkingDirectory = options.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.Environment["PULUMI_SKIP_UPDATE_CHECK"] = "true";
        foreach (var (name, value) in options.Environment)
        {
            if (value is null) startInfo.Environment.Remove(name);
            else startInfo.Environment[name] = value;
        }
        // Resolved against the child's PATH, not this process's (Process.Start would use ours).
        startInfo.FileName = ResolveExecutable(options.Executable, startInfo.Environment.TryGetValue("PATH", out var path) ? path : null);
        foreach (var arg in args) startInfo.ArgumentList.Add(arg);
        return startInfo;
    }

    internal static string ResolveExecutable(string executable, string? path)
    {
        if (executable.Contains('/', StringComparison.Ordinal))
            return File.Exists(executable) ? executable : throw new PulumiNotInstalledException($"pulumi executable '{executable}' does not exist");
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        throw new PulumiNotInstalledException($"'{executable}' was not found on PATH; install the Pulumi CLI or set its path");
    }

    private static async Task<PulumiResult> RunAsync(ProcessStartInfo startInfo, CancellationToken cancellationToken, Action<string>? outputLine = null)
    {
        using var process = new Process { StartInfo = startInfo };
        process.Start();
        process.StandardInput.Close();
        var stdout = outputLine is null
            ? process.StandardOutput.ReadToEndAsync(cancellationToken)
            : ReadStreamingAsync(process.StandardOutput, outputLine, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new PulumiResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// All of <paramref name="reader"/>, exactly as <see cref="StreamReader.ReadToEndAsync(CancellationToken)"/> gives
    /// it (the audit detail must not change with the display), handing over each complete line as it arrives.
    /// </summary>
    private static async Task<string> ReadStreamingAsync(StreamReader reader, Action<string> outputLine, CancellationToken cancellationToken)
    {
        var all = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[4096];
        var watching = true;
        void HandOver()
        {
            if (watching) watching = TryHandOver(outputLine, line.ToString().TrimEnd('\r'));
            line.Clear();
        }
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            all.Append(buffer, 0, read);
            foreach (var c in buffer.AsSpan(0, read))
            {
                if (c == '\n') HandOver();
                else line.Append(c);
            }
        }
        if (line.Length > 0) HandOver();
        return all.ToString();
    }

    /// <summary>
    /// The watcher is only a display: if it fails, it is told nothing more, and reading goes on — a pipe left
    /// unread would block pulumi mid-<c>up</c>, and a recovery must not fail because its display did.
    /// </summary>
    private static bool TryHandOver(Action<string> outputLine, string line)
    {
        try
        {
            outputLine(line);
            return true;
        }
#pragma warning disable CA1031 // Whatever the display throws, the run goes on without it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
