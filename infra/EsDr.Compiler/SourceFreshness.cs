using System.Diagnostics;

namespace EsDr.Compiler;

/// <summary>
/// The freshness check of <c>bin/es-dr</c>, done by the native compiler itself. Pulumi starts the launcher twice per
/// preview; a <c>find</c> over infra/ cost it more than the rest of the launcher, while this process reads the same
/// 141 entries' times in well under a millisecond. The launcher names the repository in
/// <see cref="RootVariable"/> only when it execs the Native AOT build without looking; when a source under infra/
/// (or a Directory.*.props) is newer than the stamp of the last build, this process hands the whole run back to the
/// launcher, which builds and runs the new compiler, and passes on its exit code. It prints nothing itself.
/// </summary>
internal static class SourceFreshness
{
    public const string RootVariable = "ESDR_SOURCE_ROOT";

    /// <summary>Tells the launcher to check with <c>find</c> and build, not to exec this binary again.</summary>
    public const string CheckVariable = "ESDR_BUILD_CHECK";

    private static readonly string[] BuildInputs = ["Directory.Build.props", "Directory.Packages.props"];

    /// <summary>The launcher's exit code when the sources changed since the build (the run happened there); null otherwise.</summary>
    public static int? RunLauncherIfStale(string[] args)
    {
        var root = Environment.GetEnvironmentVariable(RootVariable);
        if (string.IsNullOrEmpty(root) || !IsStale(root)) return null;
        return RunLauncher(root, args);
    }

    /// <summary>Whether any build input is newer than <c>.artifacts/compiler.stamp</c> (or there is no stamp), as the launcher's <c>find -newer</c>.</summary>
    internal static bool IsStale(string root)
    {
        var stamp = new FileInfo(Path.Combine(root, ".artifacts", "compiler.stamp"));
        if (!stamp.Exists) return true;
        var built = stamp.LastWriteTimeUtc;
        return BuildInputs.Select(name => new FileInfo(Path.Combine(root, name))).Any(f => f.Exists && f.LastWriteTimeUtc > built)
            || NewerSource(new DirectoryInfo(Path.Combine(root, "infra")), built);
    }

    // Build output (bin/, obj/) is not a source.
    private static bool NewerSource(DirectoryInfo directory, DateTime built) =>
        directory.Exists && directory.EnumerateFileSystemInfos().Any(entry => entry switch
        {
            DirectoryInfo d => d.Name is not ("bin" or "obj") && NewerSource(d, built),
            _ => entry.LastWriteTimeUtc > built,
        });

    private static int RunLauncher(string root, string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(root, "bin", "es-dr")) { UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove(RootVariable);
        start.Environment[CheckVariable] = "find";
        using var launcher = Process.Start(start) ?? throw new InvalidOperationException("bin/es-dr could not be started");
        launcher.WaitForExit();
        return launcher.ExitCode;
    }
}
