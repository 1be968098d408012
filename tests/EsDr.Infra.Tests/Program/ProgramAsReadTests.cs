using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Program;

/// <summary>
/// The compile checks the program as Pulumi will read its text (<see cref="ProgramYamlWriter.AsRead"/>) without
/// parsing that text again; that shortcut is sound only if it gives exactly what parsing gives, value for value and
/// kind for kind, for every example stack and every hostile scalar.
/// </summary>
public class ProgramAsReadTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    public static TheoryData<string> Scalars() => ProgramYamlWriterRoundTripTests.Scalars();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void AsRead_EveryExampleStack_IsWhatParsingTheWrittenProgramGives(string file)
    {
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, Repository.WithSecretSentinels(stack), stack.SecretKeys)).Program;

        Assert.Equal(Dump(ProgramText.Parse(ProgramYamlWriter.Write(program))), Dump(ProgramYamlWriter.AsRead(program)));
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void AsRead_HostileScalar_IsWhatParsingTheWrittenProgramGives(string scalar)
    {
        var program = new PulumiProgram("p");
        program.Variable("v", scalar);
        program.Variable("list", new List<object> { scalar, 3, 1.5, true });
        program.Add(scalar.Length == 0 || scalar.Any(char.IsSurrogate) ? "r" : scalar, "random:index/randomPassword:RandomPassword",
            new PMap { { "length", 16 }, { "overrideSpecial", scalar }, { "keepers", new PMap { { "k", scalar } } } });

        Assert.Equal(Dump(ProgramText.Parse(ProgramYamlWriter.Write(program))), Dump(ProgramYamlWriter.AsRead(program)));
    }

    /// <summary>A value's whole tree as text, kinds included (records holding lists compare their lists by reference).</summary>
    private static string Dump(ProgramValue? value) => value switch
    {
        null => "<none>",
        ScalarValue s => $"{s.Kind}:{System.Text.Json.JsonSerializer.Serialize(s.Text)}",
        ListValue l => $"[{string.Join(", ", l.Items.Select(Dump))}]",
        MapValue m => $"{{{string.Join(", ", m.Entries.Select(e => $"{System.Text.Json.JsonSerializer.Serialize(e.Key)}: {Dump(e.Value)}"))}}}",
        _ => value.GetType().Name,
    };
}
