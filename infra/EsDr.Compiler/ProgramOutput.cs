using EsDr.Infra.Compilation;

namespace EsDr.Compiler;

/// <summary>Prints a compiled program to stdout only when it passed the schema check; problems go to stderr.</summary>
internal static class ProgramOutput
{
    public static int Print(StackCompilation compiled, TextWriter stdout, TextWriter stderr)
    {
        if (compiled.Problems.Count > 0)
        {
            stderr.WriteLine($"error: the program for stack '{compiled.Config.Stack}' does not match the provider schemas (a compiler bug; nothing was printed):");
            foreach (var p in compiled.Problems) stderr.WriteLine($"  {p.Where}: {p.Message}");
            return ExitCodes.InvalidProgram;
        }
        stdout.Write(compiled.Yaml);
        return ExitCodes.Ok;
    }
}
