using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Program;

/// <summary>
/// The writer writes the program straight to text (BlockYamlWriter) instead of through YamlDotNet's emitter; what it
/// writes must be byte for byte what the emitter writes, for every example stack (which it must not decline: that is
/// the speed), every hostile scalar and every shape of multi-line text (blank lines, trailing line breaks,
/// indentation, tabs, non-ASCII), at every place a value can stand; what it declines the emitter writes.
/// </summary>
public class ProgramYamlWriterDirectTests
{
    public static readonly string[] MultiLine =
    [
        "a\nb", "a\n", "a\n\n", "a\n\n\n", "a\n\nb", "a\n\n\nb\n", "a\n  b\n    c", "a\n\tb\n", "a\tb\nc\td", "#!/bin/sh\nset -eu\n",
        "x: y\n- z\n", "'a'\n\"b\"\n", "a\n b\n", "日本\n😀\n", "é\nà", "a\n#b\n", "- a\n- b", "|\n>", "a \tb\nc", "${x}\n$${y}\n",
        "a\n" + new string('k', 5000) + "\n\nz", "k: |\n  nested\n", "---\n...\n", "a\n\n\n\n", "last\nline\nno break",
    ];

    public static TheoryData<string> Scalars()
    {
        var data = new TheoryData<string>();
        foreach (var s in ProgramYamlWriterRoundTripTests.HostileScalars.Concat(MultiLine).Distinct(StringComparer.Ordinal)) data.Add(s);
        return data;
    }

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Write_EveryExampleStack_IsWhatTheEmitterWritesItself(string file)
    {
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, Repository.WithSecretSentinels(stack), stack.SecretKeys)).Program;

        var direct = ProgramYamlWriter.WriteDirect(program);

        Assert.NotNull(direct);
        Assert.Equal(ProgramYamlWriter.WriteThroughEmitter(program), direct);
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Write_AnyScalarAnywhere_IsWhatTheEmitterWritesItself(string s)
    {
        var program = new PulumiProgram("p");
        program.Variable("v", s);
        program.Variable("w", s + "\n" + s);
        program.Variable("nested", new PMap { { "a", new PMap { { "b", new List<object> { s, new List<object> { s, s + "\n" }, new PMap { { "c", s } } } } } } });
        program.Add("r", "random:index/randomPassword:RandomPassword", new PMap
        {
            { "value", s },
            { "list", new List<object> { s, "ok", s + "\n" + s, new PMap { { "k", s }, { "l", s } } } },
            { "map", new PMap { { s.Length == 0 ? "e" : s, s }, { "after", "x" } } },
        });
        program.Add("t", "random:index/randomPassword:RandomPassword", new PMap { { "value", s } });
        program.Outputs.Add("o", s);
        program.Outputs.Add("p", s + "\nend");

        var emitted = ProgramYamlWriter.WriteThroughEmitter(program);

        Assert.Equal(emitted, ProgramYamlWriter.WriteDirect(program) ?? emitted);
        Assert.Equal(emitted, ProgramYamlWriter.Write(program));
    }

    [Fact]
    public void WriteDirect_DeclinesOnlyWhatItCannotWriteAsTheEmitterDoes()
    {
        var declined = ProgramYamlWriterRoundTripTests.HostileScalars.Concat(MultiLine).Where(s =>
        {
            var program = new PulumiProgram("p");
            program.Variable("v", s);
            program.Variable("k", new PMap { { s, "x" } });
            return ProgramYamlWriter.WriteDirect(program) is null;
        }).ToList();

        // Keys the emitter writes as complex keys (multi-line, or longer than 1024 characters) are left to it.
        Assert.NotEmpty(declined);
        Assert.All(declined, s => Assert.True(s.Length > 1024 || s.AsSpan().ContainsAny("\n\r\u0085\u2028\u2029"), $"declined '{s}'"));
    }
}
