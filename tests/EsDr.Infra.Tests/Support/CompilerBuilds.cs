using System.Diagnostics;

namespace EsDr.Infra.Tests.Support;

/// <summary>
/// The two builds of the compiler that must behave alike: the Native AOT binary <c>bin/es-dr</c> publishes into
/// <c>.artifacts/compiler</c> (what Pulumi runs), and the JIT build of the same sources beside the tests
/// (<c>dotnet es-dr.dll</c>).
/// </summary>
internal static class CompilerBuilds
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string Launcher => Path.Combine(Repository.Root, "bin", "es-dr");

    public static string NativeBinary => Path.Combine(Repository.Root, ".artifacts", "compiler", "es-dr");

    public static string JitAssembly => Path.Combine(AppContext.BaseDirectory, "es-dr.dll");

    private static readonly Lazy<string> Native = new(BuildNative, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The AOT binary, built through the launcher if its sources changed. Fails, never skips, when the launcher
    /// fell back to ReadyToRun: test.sh installs clang, so a fallback there is a broken AOT build.
    /// </summary>
    public static string NativePath() => Native.Value;

    private static string BuildNative()
    {
        var build = Run(Launcher, ["--help"], new Dictionary<string, string?> { ["ESDR_COMPILER_BUILD"] = null });
        Assert.True(build.ExitCode == 0, $"bin/es-dr --help failed:\n{build.Stderr}");
        if (!IsClangInstalled())
            Assert.Fail("the Native AOT toolchain is missing (clang; zlib1g-dev): ./test.sh installs both with apt-get, or run `apt-get install -y clang zlib1g-dev`");
        Assert.False(File.Exists(Path.Combine(Repository.Root, ".artifacts", "compiler", "es-dr.dll")),
            $"bin/es-dr built the ReadyToRun fallback although clang is installed: the AOT publish failed\n{build.Stderr}");
        Assert.True(IsElf(NativeBinary), $"{NativeBinary} is not a native executable");
        return NativeBinary;
    }

    public static Result RunNative(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        Run(NativePath(), args, environment);

    public static Result RunJit(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        Run("dotnet", [JitAssembly, .. args], environment);

    /// <summary>Runs in the project directory with this process's environment less its <c>PULUMI_*</c>, plus <paramref name="environment"/> (null removes).</summary>
    public static Result Run(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PULUMI_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // The first start may build the compiler (Native AOT: minutes on a busy 2-core machine).
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish within 15 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static bool IsClangInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "clang")));

    private static bool IsElf(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }
}
