using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// A compiled stack: the topology, the program and its text, what the schema check found, and every VM's user-data
/// size against its cloud's limit.
/// </summary>
public sealed record StackCompilation(
    StackConfig Config,
    DeploymentTopology Topology,
    PulumiProgram Program,
    string Yaml,
    IReadOnlyList<RenderedFile> Files,
    IReadOnlyList<ProgramProblem> Problems)
{
    /// <summary>Every VM's user-data bound and limit, in program order.</summary>
    public IReadOnlyList<UserDataSize> UserData { get; init; } = [];

    /// <summary>Compiles and checks; on invalid config writes every error to <paramref name="stderr"/> and returns null.</summary>
    public static StackCompilation? TryCompile(string project, string stack, IReadOnlyDictionary<string, string> config,
        IReadOnlyCollection<string>? secretKeys, TextWriter stderr)
    {
        try
        {
            return Compile(StackConfigParser.Parse(project, stack, config, secretKeys));
        }
        catch (InvalidConfigException e)
        {
            stderr.WriteLine($"error: stack '{ConfigText.Escape(stack)}' has {e.Errors.Count} config problem{(e.Errors.Count == 1 ? "" : "s")}:");
            foreach (var error in e.Errors) stderr.WriteLine($"  {error}");
            return null;
        }
    }

    /// <summary>
    /// Compiles twice when needed: user-data stays readable where it fits, and only the VMs whose user-data does not
    /// fit as rendered are compiled again with their files known at compile time compressed.
    /// </summary>
    /// <exception cref="InvalidConfigException">A VM's user-data cannot fit its cloud's limit even so.</exception>
    public static StackCompilation Compile(StackConfig config)
    {
        // The schemas are read on a second core while the program is built (they take about as long).
        var schemas = Task.Run(ProviderSchemas.PreloadEmbedded);
        var compiler = StackCompiler.Default();
        var (topology, program, files) = compiler.Compile(config);
        var (sizes, unbounded) = UserDataBudget.Measure(program, compiler.Adapters);
        var compressed = sizes.Where(s => !s.Fits).Select(s => s.Vm).ToHashSet(StringComparer.Ordinal);
        if (compressed.Count > 0)
        {
            (topology, program, files) = compiler.Compile(config, compressed);
            (sizes, unbounded) = UserDataBudget.Measure(program, compiler.Adapters);
        }
        var tooLarge = sizes.Where(s => !s.Fits).ToList();
        if (tooLarge.Count > 0) throw new InvalidConfigException(tooLarge.Select(s => s.TooLarge(compressed.Contains(s.Vm))).ToList());
        // Writing the text and checking the program are independent and take about as long on a large stack (tens of
        // milliseconds each for ten regions): on a second core they overlap. The program is no longer changed.
        var checking = Task.Run(() => Check(program, unbounded, schemas.GetAwaiter().GetResult()));
        var yaml = ProgramYamlWriter.Write(program);
        var problems = checking.GetAwaiter().GetResult();
        return new StackCompilation(config, topology, program, yaml, files, problems) { UserData = sizes };
    }

    /// <summary>
    /// The schema check and the cycle check, of the program as Pulumi will read its text, without parsing that text
    /// again (the round-trip tests hold the two equal); then the values whose length has no bound.
    /// </summary>
    private static List<ProgramProblem> Check(PulumiProgram program, IReadOnlyList<ProgramProblem> unbounded, ProviderSchemas schemas)
    {
        var read = ProgramYamlWriter.AsRead(program);
        var cycles = Task.Run(() => DependencyGraph.Problems(read));
        var problems = ProgramValidator.Validate(read, schemas);
        return [.. problems, .. cycles.GetAwaiter().GetResult(), .. unbounded];
    }
}
