using System.CommandLine;

namespace EsDr.Compiler;

/// <summary>
/// <c>es-dr</c>: the topology compiler. <c>es-dr program</c> is what Pulumi's YAML runtime runs (see
/// Pulumi.yaml); <c>show</c> and <c>emit</c> work offline on a stack file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => SourceFreshness.RunLauncherIfStale(args) ?? Run(args, Console.Out, Console.Error);

    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("es-dr: compiles an Elasticsearch disaster-recovery topology from Pulumi stack config into a Pulumi YAML program.")
        {
            ProgramCommand.Create(stdout, stderr),
            ShowCommand.Create(stdout, stderr),
            EmitCommand.Create(stdout, stderr),
        };
        return Invoke(root, args, stdout, stderr);
    }

    /// <summary>
    /// Parses and runs a command line with the documented exit codes: a usage error is 2 with its message and help on
    /// stderr (stdout carries only a program), and an exception no command expected is an internal error (7), never
    /// the 1 of invalid config.
    /// </summary>
    internal static int Invoke(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr)
    {
        // No @response files: `show @/dev/zero` would read without end; a stack file named so is reached as ./@name.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var usageError = result.Errors.Count > 0;
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = usageError ? stderr : stdout, Error = stderr };
        try
        {
            var exit = result.Invoke(invocation);
            return usageError ? ExitCodes.Usage : exit;
        }
        catch (OperationCanceledException)
        {
            // SIGINT or SIGTERM stopped a command: the shell's own code for an interrupt.
            stderr.WriteLine("error: interrupted");
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // the last resort: any exception a command did not expect is reported as the bug it is
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"error: internal error (a bug in es-dr; please report it with the command line and the stack file): {e}");
            return ExitCodes.InternalError;
        }
    }
}
