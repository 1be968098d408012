using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// Invocations that cannot work end with one line on stderr saying why and the exit code docs/recovery.md gives for
/// it, never a stack trace: an unusable audit database, a <c>--listen</c> address the host cannot bind, and refusals
/// that must not be hidden by a region that cannot be probed.
/// </summary>
[Collection("live processes")]
public sealed class BadInvocationTests : IDisposable
{
    private readonly OperatorTestbed bed = new();
    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("esdr-bad-");

    public void Dispose()
    {
        bed.Dispose();
        scratch.Delete(recursive: true);
    }

    [Theory]
    [InlineData("failover", "--to", "dub", "--dry-run")]
    [InlineData("rebuild-node", "--region", "dub", "--node", "prod-dub-es-3", "--yes")]
    [InlineData("watch", "--once")]
    public async Task Command_OnAnAuditDatabaseThatIsNotADatabase_SaysSoInOneLine_Exit74_ChangingNothing(params string[] args)
    {
        await File.WriteAllTextAsync(bed.AuditPath, "these are notes, not an SQLite database\n" + new string('x', 4096));

        var exit = await bed.RunAsync(args);

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        AssertOneErrorLine(bed.Error.ToString(), $"error: the audit database {bed.AuditPath} is not an SQLite database (file is not a database)");
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Serve_OnAnAuditDatabaseThatIsNotADatabase_Exit74_BeforeListening()
    {
        await File.WriteAllTextAsync(bed.AuditPath, new string('?', 8192));
        bed.Environment[WatchCommand.TokenVariable] = "serve-token";

        var exit = await bed.RunAsync("serve", "--listen", "127.0.0.1:0");

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        AssertOneErrorLine(bed.Error.ToString(), "is not an SQLite database");
        Assert.DoesNotContain("listening", bed.Out.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("failover", "--to", "dub", "--dry-run")]
    [InlineData("rebuild-region", "dub", "--yes")]
    public async Task Action_WithAnAuditDbThatIsADirectory_SaysSo_Exit74(params string[] args)
    {
        var exit = await bed.RunAsync([.. args, "--audit-db", scratch.FullName]);

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        AssertOneErrorLine(bed.Error.ToString(), $"error: the audit database {scratch.FullName} is a directory");
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Action_WithAnAuditDbThatCannotBeCreated_SaysSo_Exit74()
    {
        var plainFile = Path.Combine(scratch.FullName, "plain-file");
        await File.WriteAllTextAsync(plainFile, "a file where a directory should be");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes", "--audit-db", Path.Combine(plainFile, "audit.db"));

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        AssertOneErrorLine(bed.Error.ToString(), "cannot be created");
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task History_OfAnAuditDbThatIsADirectory_IsAnError_NotAnEmptyHistory()
    {
        var (exit, stdout, stderr) = await HistoryAsync("--audit-db", scratch.FullName);

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        Assert.DoesNotContain("no recoveries", stdout, StringComparison.Ordinal);
        AssertOneErrorLine(stderr, "is a directory");
    }

    [Fact]
    public async Task History_OfACorruptAuditDb_SaysSoInOneLine_Exit74()
    {
        var corrupt = Path.Combine(scratch.FullName, "audit.db");
        await File.WriteAllBytesAsync(corrupt, Encoding.ASCII.GetBytes(new string('\u0001', 10_000)));

        var (exit, _, stderr) = await HistoryAsync("--audit-db", corrupt);

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, exit);
        AssertOneErrorLine(stderr, $"error: the audit database {corrupt} is not an SQLite database");
    }

    [Fact]
    public async Task Serve_OnAnAddressThisHostDoesNotHave_IsAUsageError_SaidBeforeTheStackIsLoaded()
    {
        bed.Environment[WatchCommand.TokenVariable] = "serve-token";

        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this host. Nothing is sent to it; only bind() is tried.
        var exit = await bed.RunAsync("serve", "--listen", "192.0.2.1:9095");

        Assert.Equal(ExitCodes.Usage, exit);
        AssertOneErrorLine(bed.Error.ToString(), "error: --listen 192.0.2.1:9095: 192.0.2.1 is not an address of this host");
        Assert.Empty(bed.Pulumi.Calls);
    }

    [Fact]
    public async Task Serve_OnAPortAnotherProcessListensOn_ExitsUnavailable_SayingSo()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        bed.Environment[WatchCommand.TokenVariable] = "serve-token";

        var exit = await bed.RunAsync("serve", "--listen", $"127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Unavailable, exit);
        AssertOneErrorLine(bed.Error.ToString(), $"error: cannot listen on 127.0.0.1:{port}: the port is in use by another process");
    }

    [Fact]
    public async Task Failover_WhilePaused_IsBlockedByThePauseSwitch_EvenWhenItsTargetCannotBeProbed()
    {
        var pause = Path.Combine(scratch.FullName, "pause");
        await File.WriteAllTextAsync(pause, "");
        OperatorTestbedFiles.AppendRecovery(bed, $"pauseFile: {pause}");
        bed.Dub.NoMaster = true;

        var exit = await bed.RunAsync("failover", "--to", "dub", "--yes");

        Assert.Equal(ExitCodes.NotRun, exit);
        Assert.Contains($"blocked by PauseSwitch: paused: {pause} exists", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Dub.Requests); // refused before anything was probed
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task Failover_ThatNoOneCanConfirm_ExitsNotConfirmed_EvenWhenItsTargetCannotBeProbed()
    {
        bed.InputIsTerminal = false;
        bed.Dub.NoMaster = true;

        var exit = await bed.RunAsync("failover", "--to", "dub");

        Assert.Equal(ExitCodes.NotConfirmed, exit);
        AssertOneErrorLine(bed.Error.ToString(), "stdin is not a terminal; pass --yes");
        Assert.Empty(bed.Dub.Requests);
    }

    [Fact]
    public async Task Failover_ConfirmedAndNotPaused_WithATargetThatCannotBeProbed_ExitsUnavailable()
    {
        bed.Dub.NoMaster = true;

        var exit = await bed.RunAsync("failover", "--to", "dub", "--yes");

        Assert.Equal(ExitCodes.Unavailable, exit);
        AssertOneErrorLine(bed.Error.ToString(), "the cluster in dub cannot be probed");
    }

    public static TheoryData<string> UnreadableStackFiles() => ["missing", "directory", "fifo"];

    [Theory]
    [MemberData(nameof(UnreadableStackFiles))]
    public async Task Action_OnAStackFileThatCannotBeRead_SaysWhyInOneLine_Exit4_WithoutWaitingOnIt(string kind)
    {
        ReplaceStackFile(kind);

        var run = bed.RunAsync("failover", "--to", "dub", "--dry-run");
        // A FIFO opened for reading blocks until a writer comes: the command must say so, not wait.
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.FileNotFound, exit);
        AssertOneErrorLine(bed.Error.ToString(), bed.StackFile.FullName);
        Assert.Empty(bed.Changes);
    }

    [Theory]
    [MemberData(nameof(UnreadableStackFiles))]
    public async Task Plan_OnAStackFileThatCannotBeRead_SaysWhyInOneLine_Exit4(string kind)
    {
        ReplaceStackFile(kind);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Task.Run(() => PlanCommand.Execute("region-loss", bed.StackFile, json: false, stdout, stderr)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.FileNotFound, exit);
        AssertOneErrorLine(stderr.ToString(), kind switch
        {
            "missing" => "does not exist",
            "directory" => "is a directory",
            _ => "is not a regular file (a FIFO)",
        });
        Assert.Equal("", stdout.ToString());
    }

    /// <summary>The testbed's stack file made missing, a directory or a FIFO.</summary>
    private void ReplaceStackFile(string kind)
    {
        var path = bed.StackFile.FullName;
        File.Delete(path);
        if (kind == "directory") Directory.CreateDirectory(path);
        if (kind == "fifo")
        {
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
    }

    private static void AssertOneErrorLine(string stderr, string expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + stderr);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> HistoryAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { HistoryCommand.Create(stdout, stderr) };
        var exit = await root.Parse(["history", .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
