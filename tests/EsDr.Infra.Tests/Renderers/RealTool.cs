using System.Diagnostics;

namespace EsDr.Infra.Tests.Renderers;

/// <summary>
/// Runs an installed tool (haproxy, cloud-init). A missing tool fails the test rather than skipping it:
/// CI installs them, and a silently skipped validation would let a broken renderer through.
/// </summary>
internal static class RealTool
{
    private static readonly string[] SystemDirs = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] args)
    {
        var path = Locate(tool);
        if (path is null)
        {
            Assert.Fail($"'{tool}' is not installed; these tests need the real tool (apt-get install {tool}).");
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    public static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirs)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>A temporary directory removed when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("esdr-renderers-").FullName;

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
