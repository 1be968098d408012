using System.CommandLine;
using System.Diagnostics;
using EsDr.Compiler;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>
/// Every command's exit code on hostile input is the documented one (docs/reference.md): usage errors 2, a stack
/// file that cannot be read 4, invalid config 1 with nothing on stdout, and never a crash or a hang.
/// </summary>
public sealed class HostileInputCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var run = Task.Run(() => EsDr.Compiler.Program.Run(args, stdout, stderr));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), $"es-dr {string.Join(' ', args)} did not finish within a minute");
        return (run.Result, stdout.ToString(), stderr.ToString());
    }

    private static (int Exit, string Out, string Err) RunProgram(string pulumiConfig)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string> { ["PULUMI_STACK"] = "test", ["PULUMI_PROJECT"] = "es-dr", ["PULUMI_CONFIG"] = pulumiConfig };
        var exit = ProgramCommand.Execute(environment, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("show", "--bogus")]
    [InlineData("emit", "--bogus")]
    [InlineData("show", "-x", "Pulumi.dev.yaml")]
    public void UnknownOption_IsAUsageError_WithNothingOnStdout(params string[] args)
    {
        var (exit, output, errors) = Run(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("", output);
        Assert.Contains(args[1], errors, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyStackFileName_IsAUsageError()
    {
        var (exit, output, errors) = Run("show", "");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("", output);
        Assert.Contains("The stack file's name is empty.", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void StackFileNamedLikeAnOption_IsReachedThroughItsPath()
    {
        var (exit, _, errors) = Run("show", "./--bogus");

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Contains("--bogus: does not exist", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponseFile_IsNotRead_SoAtDevZeroCannotHang()
    {
        var (exit, output, errors) = Run("show", "@/dev/zero");

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Equal("", output);
        Assert.Contains("@/dev/zero: does not exist", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("emit")]
    public void DirectoryAsTheStackFile_SaysItIsADirectory(string command)
    {
        var (exit, output, errors) = Run(command, dir);

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Equal("", output);
        Assert.Equal($"error: {dir}: is a directory; name a Pulumi.<stack>.yaml file\n", errors.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void FifoAsTheStackFile_IsRefusedWithoutWaiting()
    {
        var fifo = Path.Combine(dir, "Pulumi.fifo.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();

        var (exit, output, errors) = Run("show", fifo);

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Equal("", output);
        Assert.Contains("is not a regular file (a FIFO)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void DevZeroAsTheStackFile_IsRefusedWithoutReadingIt()
    {
        var (exit, output, errors) = Run("emit", "/dev/zero");

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Equal("", output);
        Assert.Contains("is not a regular file (a character device)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void StackFileThatFailsToRead_SaysItCannotBeRead()
    {
        // A regular file whose read fails even for root: this process's memory, unmapped at offset 0.
        var (exit, output, errors) = Run("show", "/proc/self/mem");

        Assert.Equal(ExitCodes.FileNotFound, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: /proc/self/mem: cannot be read: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void StackFileNamedWithAnEscapeSequence_IsNamedEscapedInEveryMessage()
    {
        var path = Path.Combine(dir, "Pulumi.\u001b[2J.yaml");
        File.WriteAllText(path, "config:\n  es-dr:namePrefix: dev\n");

        var (invalid, _, invalidErrors) = Run("show", path);
        var (unreadable, _, unreadableErrors) = Run("show", path + ".d/");

        Assert.Equal((ExitCodes.InvalidConfig, ExitCodes.FileNotFound), (invalid, unreadable));
        Assert.StartsWith("error: stack '\\u001B[2J' has ", invalidErrors, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', invalidErrors + unreadableErrors);
    }

    [Fact]
    public void MalformedPulumiYaml_IsInvalidConfigNamingIt()
    {
        File.WriteAllText(Path.Combine(dir, "Pulumi.yaml"), "name: [es-dr\n");
        File.Copy(Path.Combine(Repository.Root, "Pulumi.dev.yaml"), Path.Combine(dir, "Pulumi.dev.yaml"));

        var (exit, output, errors) = Run("show", Path.Combine(dir, "Pulumi.dev.yaml"));

        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal("", output);
        Assert.Contains($"{Path.Combine(dir, "Pulumi.yaml")}:", errors, StringComparison.Ordinal);
        Assert.Contains("is not valid YAML", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void PulumiConfigWithADuplicateKey_IsRefusedNamingTheKey()
    {
        var (exit, output, errors) = RunProgram("""{"es-dr:namePrefix":"dev","es-dr:namePrefix":"prod"}""");

        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal("", output);
        Assert.Contains("es-dr:namePrefix: is given twice in PULUMI_CONFIG", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void PulumiConfigWithALoneSurrogate_IsRefusedNamingTheKey()
    {
        var (exit, output, errors) = RunProgram("""{"es-dr:namePrefix":"dev\ud800"}""");

        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal("", output);
        Assert.Contains("es-dr:namePrefix: is not valid UTF-16 text (a lone surrogate)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void PulumiConfigWithANonStringValue_IsRefusedNamingTheKey()
    {
        var (exit, output, errors) = RunProgram("""{"es-dr:namePrefix":3}""");

        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal("", output);
        Assert.Contains("es-dr:namePrefix: must be a string in PULUMI_CONFIG, got a number", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void PulumiConfigThatIsNotJson_IsRefused()
    {
        var (exit, output, errors) = RunProgram("{\"es-dr:namePrefix\":");

        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: PULUMI_CONFIG: is not a JSON object of strings: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_IsAnInterrupt_NotAnInternalError()
    {
        var root = new RootCommand { new Command("wait") };
        Func<ParseResult, int> cancelled = _ => throw new OperationCanceledException();
        root.Subcommands[0].SetAction(cancelled);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = EsDr.Compiler.Program.Invoke(root, ["wait"], stdout, stderr);

        Assert.Equal((ExitCodes.Interrupted, "error: interrupted"), (exit, stderr.ToString().Trim()));
    }

    [Fact]
    public void UnexpectedException_IsAnInternalError_NotInvalidConfig()
    {
        var root = new RootCommand { new Command("boom") };
        Func<ParseResult, int> crash = _ => throw new InvalidOperationException("a compiler bug");
        root.Subcommands[0].SetAction(crash);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = EsDr.Compiler.Program.Invoke(root, ["boom"], stdout, stderr);

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal("", stdout.ToString());
        Assert.StartsWith("error: internal error (a bug in es-dr; please report it with the command line and the stack file): System.InvalidOperationException: a compiler bug",
            stderr.ToString(), StringComparison.Ordinal);
    }
}
