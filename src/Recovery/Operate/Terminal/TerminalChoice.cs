using Spectre.Console;

namespace EsDr.Recovery.Operate.Terminal;

/// <summary>
/// The one place that decides whether a person watches stdout. Everything else asks
/// <see cref="OperatorConsole.Terminal"/>, so tests can hand in a <c>TestConsole</c> or nothing.
/// </summary>
internal static class TerminalChoice
{
    /// <summary>
    /// A console for stdout when it is a terminal that understands cursor movement, else null (plain lines, as a
    /// pipe, a file, a CI log or <c>TERM=dumb</c> want them). <c>NO_COLOR</c> (any non-empty value, per no-color.org)
    /// keeps the live display but drops colour.
    /// </summary>
    public static IAnsiConsole? Decide(bool stdoutRedirected, Func<string, string?> environment, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsInteractive(stdoutRedirected, environment)) return null;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = WantsNoColor(environment) ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(stdout),
        });
    }

    public static bool IsInteractive(bool stdoutRedirected, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        // A dumb terminal cannot move the cursor back over a live display: it would print every frame.
        return !stdoutRedirected && !string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal);
    }

    public static bool WantsNoColor(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrEmpty(environment("NO_COLOR"));
    }
}
