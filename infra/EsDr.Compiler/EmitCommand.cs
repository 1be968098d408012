using System.CommandLine;

namespace EsDr.Compiler;

/// <summary><c>es-dr emit STACK-FILE</c>: prints the program Pulumi would receive, offline.</summary>
internal static class EmitCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = StackFileArgument.Create();
        var command = new Command("emit", "Print the Pulumi YAML program for a stack file, without Pulumi or a cloud account.") { file };
        command.SetAction(result => Execute(result.GetRequiredValue(file), stdout, stderr));
        return command;
    }

    public static int Execute(FileInfo file, TextWriter stdout, TextWriter stderr)
    {
        var compiled = StackFileArgument.Compile(file, stderr, out var exit);
        if (compiled is null) return exit;
        return ProgramOutput.Print(compiled, stdout, stderr);
    }
}
