using System.ComponentModel;
using System.Diagnostics;

namespace EsDr.Recovery.Pipeline;

/// <summary>How a hook ended. <see cref="ExitCode"/> is null when it could not start or was killed.</summary>
internal sealed record HookResult(Hook Hook, int? ExitCode, bool TimedOut, string Output)
{
    public bool Succeeded => ExitCode == 0;

    public string Describe() =>
        TimedOut ? $"hook {Hook.Name} timed out"
        : ExitCode is { } code ? $"hook {Hook.Name} exited {code}" + (Output.Length == 0 ? "" : $": {Output}")
        : $"hook {Hook.Name} could not run: {Output}";
}

/// <summary>Runs a hook as <c>/bin/sh -c command</c> with extra environment variables and a time limit.</summary>
internal sealed class HookRunner(TimeSpan timeout)
{
    private const int MaxOutput = 2000;

    public async Task<HookResult> RunAsync(Hook hook, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(hook.Command);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return new HookResult(hook, null, false, ex.Message);
        }
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            return new HookResult(hook, null, true, "");
        }
        var output = ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim();
        if (output.Length > MaxOutput)
            output = output[..MaxOutput] + "…";
        return new HookResult(hook, process.ExitCode, false, output);
    }
}
