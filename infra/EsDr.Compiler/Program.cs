using System.CommandLine;

namespace EsDr.Compiler;

/// <summary>
/// <c>es-dr</c>: the topology compiler. <c>es-dr program</c> is what Pulumi's YAML runtime runs (see
/// Pulumi.yaml); <c>show</c> and <c>emit</c> work offline on a stack file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("es-dr: compiles an Elasticsearch disaster-recovery topology from Pulumi stack config into a Pulumi YAML program.")
        {
            ProgramCommand.Create(Console.Out, Console.Error),
            ShowCommand.Create(Console.Out, Console.Error),
            EmitCommand.Create(Console.Out, Console.Error),
            ReplicationCommand.Create(Console.Out, Console.Error),
        };
        var result = root.Parse(args);
        var exit = result.Invoke();
        return result.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
