using System.Diagnostics;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>
/// Opt-in: the real Pulumi CLI previews the dev stack through our compiler. Runs only where a
/// <c>pulumi</c> binary is on PATH and <c>LINODE_TOKEN</c> is set (the Linode provider needs it even to
/// preview); state goes to a throwaway local backend, and the repository's files are not touched.
/// </summary>
public class RealPulumiTests
{
    [RealPulumiFact]
    public void Preview_DevStack_PlansTheClusterThroughTheCompiler()
    {
        var work = Directory.CreateTempSubdirectory("esdr-pulumi-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(work, "Pulumi.yaml"),
                $"name: es-dr\nruntime:\n  name: yaml\n  options:\n    compiler: {Path.Combine(Repository.Root, "bin", "es-dr")} program\n");
            File.Copy(Path.Combine(Repository.Root, "Pulumi.dev.yaml"), Path.Combine(work, "Pulumi.dev.yaml"));
            Directory.CreateDirectory(Path.Combine(work, "state"));

            Assert.Equal(0, Pulumi(work, "stack", "init", "dev", "--non-interactive").ExitCode);
            var preview = Pulumi(work, "preview", "--stack", "dev", "--non-interactive", "--diff");

            Assert.True(preview.ExitCode == 0, preview.Output);
            Assert.Contains("linode:index/instance:Instance", preview.Output, StringComparison.Ordinal);
            Assert.Contains("fra-es-1", preview.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Pulumi(string work, params string[] args)
    {
        var start = new ProcessStartInfo("pulumi") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PULUMI_BACKEND_URL"] = "file://" + Path.Combine(work, "state");
        start.Environment["PULUMI_CONFIG_PASSPHRASE"] = "es-dr-test";
        start.Environment["PULUMI_SKIP_UPDATE_CHECK"] = "true";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) p.Kill(entireProcessTree: true);
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>A fact that runs only where the real Pulumi CLI and a Linode token are available.</summary>
internal sealed class RealPulumiFactAttribute : FactAttribute
{
    public RealPulumiFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "pulumi")));
        if (!onPath)
            Skip = "opt-in: needs the pulumi binary on PATH";
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LINODE_TOKEN")))
            Skip = "opt-in: the real pulumi preview needs LINODE_TOKEN for the Linode provider";
    }
}
