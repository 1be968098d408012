using System.CommandLine;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;

namespace EsDr.Compiler;

/// <summary>Shared by the offline commands: the stack file argument and loading it as Pulumi would.</summary>
internal static class StackFileArgument
{
    public static Argument<FileInfo> Create() => new("stack-file")
    {
        Description = "A Pulumi.<stack>.yaml file (default: Pulumi.dev.yaml)",
        DefaultValueFactory = _ => new FileInfo("Pulumi.dev.yaml"),
    };

    /// <summary>Loads and compiles the stack file; null (with the reason on stderr and the exit code set) when it cannot.</summary>
    public static StackCompilation? Compile(FileInfo file, TextWriter stderr, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        if (!file.Exists)
        {
            stderr.WriteLine($"error: {file.FullName} does not exist");
            exitCode = ExitCodes.FileNotFound;
            return null;
        }
        StackFile stack;
        try
        {
            stack = StackFile.Load(file.FullName, ProjectFile.ProjectNameFor(file.FullName));
        }
        catch (InvalidConfigException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            exitCode = ExitCodes.InvalidConfig;
            return null;
        }
        var compiled = StackCompilation.TryCompile(ProjectFile.ProjectNameFor(file.FullName), stack.Stack, stack.Config, stack.SecretKeys, stderr);
        if (compiled is null) exitCode = ExitCodes.InvalidConfig;
        return compiled;
    }
}
