using System.ComponentModel;
using System.Diagnostics;

namespace EsDr.TestSupport;

/// <summary>A started tool with its output kept (the last lines) and a bounded kill.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process process;
    private readonly int keptLines;
    private readonly Queue<string> lines = new();

    private ToolProcess(string name, Process process, int keptLines)
    {
        Name = name;
        this.process = process;
        this.keptLines = keptLines;
    }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    /// <param name="keptLines">How many of its last output lines are kept (a test that reads a debug log keeps more).</param>
    public static ToolProcess Start(
        string name, string binary, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, int keptLines = 400)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        // The exporter reads its login from DATA_SOURCE_NAME before the option file: never from the test's environment.
        info.Environment.Remove("DATA_SOURCE_NAME");
        Process started;
        try
        {
            started = Process.Start(info) ?? throw new InvalidOperationException($"{binary} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{binary} could not be started", e);
        }
        var chain = new ToolProcess(name, started, keptLines);
        started.OutputDataReceived += (_, e) => chain.Append(e.Data);
        started.ErrorDataReceived += (_, e) => chain.Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return chain;
    }

    /// <summary>Every kept line of its output.</summary>
    public string Output => Tail(keptLines);

    public string Tail(int count)
    {
        lock (lines)
            return string.Join("\n", lines.Skip(Math.Max(0, lines.Count - count)));
    }

    /// <summary>The first of these paths that exists, or an error naming the Debian package that installs it.</summary>
    public static string Binary(string package, params string[] paths) =>
        paths.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{paths[0]} is required for these tests (Debian: apt-get install {package}).");

    /// <summary>Kills it (and its children) and waits, at most 10 s, for it to exit.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(bound.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"could not stop {Name} ({process.Id}): {e.Message}");
        }
    }

    public void Dispose() => process.Dispose();

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (lines)
        {
            lines.Enqueue(line);
            while (lines.Count > keptLines)
                lines.Dequeue();
        }
    }
}
