using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>A compiled stack: the topology, the program and its text, and what the schema check found.</summary>
public sealed record StackCompilation(
    StackConfig Config,
    DeploymentTopology Topology,
    PulumiProgram Program,
    string Yaml,
    IReadOnlyList<RenderedFile> Files,
    IReadOnlyList<ProgramProblem> Problems)
{
    /// <summary>Compiles and checks; on invalid config writes every error to <paramref name="stderr"/> and returns null.</summary>
    public static StackCompilation? TryCompile(string project, string stack, IReadOnlyDictionary<string, string> config,
        IReadOnlyCollection<string>? secretKeys, TextWriter stderr)
    {
        StackConfig parsed;
        try
        {
            parsed = StackConfigParser.Parse(project, stack, config, secretKeys);
        }
        catch (InvalidConfigException e)
        {
            stderr.WriteLine($"error: stack '{stack}' has {e.Errors.Count} config problem{(e.Errors.Count == 1 ? "" : "s")}:");
            foreach (var error in e.Errors) stderr.WriteLine($"  {error}");
            return null;
        }
        return Compile(parsed);
    }

    public static StackCompilation Compile(StackConfig config)
    {
        var (topology, program, files) = StackCompiler.Default().Compile(config);
        var yaml = ProgramYamlWriter.Write(program);
        var problems = ProgramValidator.Validate(yaml, ProviderSchemas.LoadEmbedded());
        return new StackCompilation(config, topology, program, yaml, files, problems);
    }
}
