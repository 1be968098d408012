using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Plan;

/// <summary>Every pulumi command recovery builds is checked against the CLI's refreshed flag table.</summary>
public class PulumiFlagsTests
{
    [Fact]
    public void The_flag_table_is_the_one_generated_from_pulumi_v3_259_and_knows_its_new_flags()
    {
        Assert.StartsWith("github.com/pulumi/pulumi at tag v3.259.0", PulumiFlags.Source, StringComparison.Ordinal);

        PulumiFlags.Validate(["up", "--stack", "prod", "--exclude", "urn:pulumi:prod::es-dr::**::fra-es-*", "--exclude-dependents"]);
        PulumiFlags.Validate(["config", "set", "--stack", "prod", "--config-file", "stacks/Pulumi.aws.yaml", "--path", "a.b", "1", "--type", "int"]);
        PulumiFlags.Validate(["version"]);
    }

    [Theory]
    [InlineData("--target", "--exclude")]
    [InlineData("-t", "--exclude")]
    [InlineData("--exclude", "--target")]
    public void Target_and_exclude_are_refused_together_as_the_cli_refuses_them(string first, string second) =>
        Assert.Throws<UnknownPulumiFlagException>(() => PulumiFlags.Validate(["up", first, "urn:a", second, "urn:b"]));

    [Fact]
    public void Target_replace_with_exclude_is_refused_because_pulumi_would_ignore_the_exclude() =>
        Assert.Throws<UnknownPulumiFlagException>(() => PulumiFlags.Validate(["up", "--target-replace", "urn:a", "--exclude", "urn:b"]));

    [Fact]
    public void Config_set_refuses_a_typed_secret_as_the_cli_does() =>
        Assert.Throws<UnknownPulumiFlagException>(() => PulumiFlags.Validate(["config", "set", "--secret", "--type", "int", "a", "1"]));

    [Theory]
    [InlineData("destroy", "--yes")]
    [InlineData("stack", "import")]
    [InlineData("cancel", "--yes")]
    public void Commands_recovery_never_runs_stay_unknown_though_the_table_lists_them(string first, string second) =>
        Assert.Throws<UnknownPulumiFlagException>(() => PulumiFlags.Validate([first, second]));

    [Fact]
    public void Positional_arguments_come_from_the_tables_use_lines()
    {
        Assert.Equal((1, 2), (PulumiFlags.Table["config set"].MinArgs, PulumiFlags.Table["config set"].MaxArgs));
        Assert.Equal((0, 1), (PulumiFlags.Table["stack output"].MinArgs, PulumiFlags.Table["stack output"].MaxArgs));
        Assert.Equal((0, 0), (PulumiFlags.Table["up"].MinArgs, PulumiFlags.Table["up"].MaxArgs));
    }
}
