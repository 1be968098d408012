using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>
/// <c>bin/es-dr</c>, the command Pulumi.yaml names: it runs the last build while no source changed, and builds again
/// first when one did (a developer edits infra/ and runs pulumi preview: the new code runs), with nothing but the
/// compiler's own output on stdout.
/// </summary>
public class LauncherTests : IDisposable
{
    private readonly string copy = Path.Combine(Path.GetTempPath(), $"es-dr-launcher-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Launcher_AfterASourceChange_BuildsThenRunsTheNewCodeWithOnlyItsOutputOnStdout()
    {
        CompilerBuilds.NativePath(); // a current build to copy
        CopyRepositoryWithItsBuild();
        var before = Launch(["--help"]);
        Assert.Equal((0, ""), (before.ExitCode, before.Stderr));
        Assert.Contains("es-dr: compiles", before.Stdout, StringComparison.Ordinal);
        var built = BuildTime();

        var program = Path.Combine(copy, "infra", "EsDr.Compiler", "Program.cs");
        File.WriteAllText(program, File.ReadAllText(program).Replace("es-dr: compiles", "es-dr (edited): compiles", StringComparison.Ordinal));
        // ReadyToRun keeps this test to one quick build; the freshness check is the same for either build.
        var rebuilt = Launch(["--help"], ("ESDR_COMPILER_BUILD", "readytorun"));
        var after = Launch(["--help"]);

        Assert.True(rebuilt.ExitCode == 0, rebuilt.Stderr);
        Assert.True(BuildTime() > built, "no new build was stamped");
        Assert.Contains("es-dr (edited): compiles", rebuilt.Stdout, StringComparison.Ordinal);
        Assert.Equal(after.Stdout, rebuilt.Stdout); // nothing of the build on stdout
        Assert.Equal((0, ""), (after.ExitCode, after.Stderr));
    }

    [Fact]
    public void Launcher_WithoutAnyChange_RunsTheLastBuildWithoutBuilding()
    {
        CompilerBuilds.NativePath();
        CopyRepositoryWithItsBuild();

        var built = BuildTime();

        var first = Launch(["--help"]);
        var second = Launch(["--help"]);

        Assert.Equal((0, ""), (first.ExitCode, first.Stderr));
        Assert.Equal((0, ""), (second.ExitCode, second.Stderr));
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(built, BuildTime());
    }

    private DateTime BuildTime() => File.GetLastWriteTimeUtc(Path.Combine(copy, ".artifacts", "compiler.stamp"));

    private CompilerBuilds.Result Launch(string[] args, params (string Key, string? Value)[] environment)
    {
        var variables = new Dictionary<string, string?> { ["ESDR_COMPILER_BUILD"] = null };
        foreach (var (key, value) in environment) variables[key] = value;
        return CompilerBuilds.Run(Path.Combine(copy, "bin", "es-dr"), args, variables);
    }

    /// <summary>The launcher, the compiler's sources and the current build, sources older than the build's stamp.</summary>
    private void CopyRepositoryWithItsBuild()
    {
        var old = DateTime.UtcNow.AddHours(-1);
        foreach (var path in new[] { "bin", "infra", "Directory.Build.props", "Directory.Packages.props", ".artifacts/compiler", ".artifacts/compiler.stamp" })
            Copy(Path.Combine(Repository.Root, path), Path.Combine(copy, path), old);
        File.SetLastWriteTimeUtc(Path.Combine(copy, ".artifacts", "compiler.stamp"), DateTime.UtcNow);
    }

    private static void Copy(string from, string to, DateTime modified)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(to, File.GetUnixFileMode(from)); // the launcher stays executable
            File.SetLastWriteTimeUtc(to, modified);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var name = Path.GetFileName(entry);
            // Build output of the projects under infra/ (the repository's own bin/ is copied as a whole, above).
            if (Directory.Exists(entry) && name is "bin" or "obj") continue;
            Copy(entry, Path.Combine(to, name), modified);
        }
    }
}
