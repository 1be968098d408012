using EsDr.Recovery.Operate.Terminal;
using Spectre.Console;

namespace EsDr.Recovery.Tests.Operate.Terminal;

/// <summary>When stdout counts as a terminal a person watches, and what NO_COLOR changes.</summary>
public sealed class TerminalChoiceTests
{
    [Fact]
    public void Decide_StdoutRedirected_GivesNoTerminal() =>
        Assert.Null(TerminalChoice.Decide(stdoutRedirected: true, Env(("TERM", "xterm-256color")), new StringWriter()));

    [Fact]
    public void Decide_DumbTerminal_GivesNoTerminal() =>
        Assert.Null(TerminalChoice.Decide(stdoutRedirected: false, Env(("TERM", "dumb")), new StringWriter()));

    [Fact]
    public void Decide_ATerminal_GivesAnInteractiveAnsiConsoleOnStdout()
    {
        var stdout = new StringWriter();

        var terminal = TerminalChoice.Decide(stdoutRedirected: false, Env(("TERM", "xterm-256color")), stdout);

        Assert.NotNull(terminal);
        Assert.True(terminal.Profile.Capabilities.Ansi);
        Assert.True(terminal.Profile.Capabilities.Interactive);
        terminal.Write(new Text("hello"));
        Assert.Contains("hello", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoColorSet_KeepsTheDisplayButDropsColour()
    {
        var terminal = TerminalChoice.Decide(stdoutRedirected: false, Env(("TERM", "xterm-256color"), ("NO_COLOR", "1")), new StringWriter());

        Assert.NotNull(terminal);
        Assert.Equal(ColorSystem.NoColors, terminal.Profile.Capabilities.ColorSystem);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
