using System.CommandLine;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;

namespace EsDr.Compiler;

/// <summary>Shared by the offline commands: the stack file argument and loading it as Pulumi would.</summary>
internal static class StackFileArgument
{
    public static Argument<FileInfo> Create()
    {
        var argument = new Argument<FileInfo>("stack-file")
        {
            Description = "A Pulumi.<stack>.yaml file (default: Pulumi.dev.yaml)",
            DefaultValueFactory = _ => new FileInfo("Pulumi.dev.yaml"),
        };
        // An unknown option would otherwise be taken for the file's name (`show --bogus` reported "does not exist").
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
                result.AddError($"Unrecognized option '{token.Value}' (a stack file named so is ./{token.Value}).");
            // An empty name is no path at all (FileInfo refuses it, after parsing, as an exception).
            if (result.Tokens.Any(t => t.Value.Length == 0)) result.AddError("The stack file's name is empty.");
        });
        return argument;
    }

    /// <summary>Loads and compiles the stack file; null (with the reason on stderr and the exit code set) when it cannot.</summary>
    public static StackCompilation? Compile(FileInfo file, TextWriter stderr, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        try
        {
            var project = ProjectFile.ProjectNameFor(file.FullName);
            var stack = StackFile.Load(file.FullName, project);
            var compiled = StackCompilation.TryCompile(project, stack.Stack, stack.Config, stack.SecretKeys, stderr);
            if (compiled is null) exitCode = ExitCodes.InvalidConfig;
            return compiled;
        }
        catch (ConfigFileUnreadableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            exitCode = ExitCodes.FileNotFound;
            return null;
        }
        catch (InvalidConfigException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            exitCode = ExitCodes.InvalidConfig;
            return null;
        }
    }
}
