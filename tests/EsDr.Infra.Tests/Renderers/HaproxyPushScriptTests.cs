using System.Diagnostics;
using EsDr.Infra.Renderers;
using static EsDr.Infra.Tests.Renderers.RendererSamples;

namespace EsDr.Infra.Tests.Renderers;

/// <summary>
/// The push script, run by the real shell with the real <c>haproxy -c</c> against a config file in a temporary
/// directory. Only <c>systemctl</c> is a stand-in (a script on PATH that records its arguments).
/// </summary>
public sealed class HaproxyPushScriptTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string target;
    private readonly string caFile;
    private readonly string systemctlLog;
    private readonly string stubs;

    public HaproxyPushScriptTests()
    {
        caFile = dir.Write("es-ca.crt", ThrowawayCaPem());
        target = dir.Write("haproxy.cfg", HaproxyConfig.Render(Haproxy("primaries only", caFile)));
        systemctlLog = Path.Combine(dir.Path, "systemctl.log");
        stubs = Directory.CreateDirectory(Path.Combine(dir.Path, "stubs")).FullName;
        var systemctl = Path.Combine(stubs, "systemctl");
        File.WriteAllText(systemctl, $"#!/bin/sh\necho \"$*\" >> '{systemctlLog}'\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the push script and its systemctl stand-in are POSIX shell");
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        dir.Write("boot-finished", "");
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task ValidConfig_IsInstalledAndHaproxyReloaded()
    {
        var pushed = HaproxyConfig.Render(Haproxy("with backups", caFile));

        var (exitCode, _, stderr) = await PushAsync(pushed);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(pushed, await File.ReadAllTextAsync(target));
        Assert.Equal(["reload haproxy"], await File.ReadAllLinesAsync(systemctlLog));
        Assert.Equal(["boot-finished", "es-ca.crt", "haproxy.cfg", "stubs", "systemctl.log"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InvalidConfig_IsRefused_WithHaproxysMessage_AndTheRunningConfigStaysByteIdentical()
    {
        var before = await File.ReadAllBytesAsync(target);
        var invalid = HaproxyConfig.Render(Haproxy("with backups", caFile)).Replace("balance leastconn", "balance nonsense", StringComparison.Ordinal);

        var (exitCode, _, stderr) = await PushAsync(invalid);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("haproxy -c rejected the new config", stderr, StringComparison.Ordinal);
        Assert.Contains("balance only supports", stderr, StringComparison.Ordinal); // haproxy's own complaint, passed on
        Assert.Equal(before, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(systemctlLog), "systemctl must not be called for a refused config");
        Assert.False(File.Exists(target + ".es-dr-new"));
    }

    [Fact]
    public async Task ConfigNamingAMissingCaFile_IsRefused()
    {
        var before = await File.ReadAllBytesAsync(target);

        var (exitCode, _, _) = await PushAsync(HaproxyConfig.Render(Haproxy("with backups", Path.Combine(dir.Path, "missing-ca.crt"))));

        Assert.NotEqual(0, exitCode);
        Assert.Equal(before, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(systemctlLog));
    }

    [Fact]
    public async Task UnchangedConfig_IsNeitherRewrittenNorReloaded()
    {
        var writtenAt = File.GetLastWriteTimeUtc(target);

        var (exitCode, stdout, stderr) = await PushAsync(await File.ReadAllTextAsync(target));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("unchanged", stdout, StringComparison.Ordinal);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(target));
        Assert.False(File.Exists(systemctlLog));
    }

    [Fact]
    public void Render_QuotesPathsForTheShell()
    {
        var script = HaproxyPushScript.Render("/etc/it's/haproxy.cfg");

        Assert.Contains("target='/etc/it'\\''s/haproxy.cfg'", script, StringComparison.Ordinal);
        Assert.Contains($"marker='{HaproxyPushScript.BootFinishedMarker}'", script, StringComparison.Ordinal);
        Assert.DoesNotContain("${", script, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> PushAsync(string config)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(HaproxyPushScript.Render(target, Path.Combine(dir.Path, "boot-finished")));
        start.Environment["PATH"] = $"{stubs}:{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(config);
        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
