namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>Maps a failed run to the typed exception for its known cause, as the Automation API does from stderr.</summary>
internal static class PulumiFailure
{
    private const int TailLines = 20;
    private const int TailChars = 4000;

    /// <summary>Known failures, matched on stderr in this order; anything else is a plain <see cref="PulumiCommandFailedException"/>.</summary>
    private static readonly (string Text, Func<string, int, string, PulumiCommandFailedException> Create)[] Known =
    [
        ("the stack is currently locked", (c, e, t) => new StackLockedException(c, e, t)),
        ("[409] Conflict: Another update is currently in progress", (c, e, t) => new StackLockedException(c, e, t)),
        ("no stack named", (c, e, t) => new StackNotFoundException(c, e, t)),
    ];

    public static PulumiCommandFailedException From(string commandLine, PulumiResult result, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(redactor);
        var tail = redactor.Redact(Tail(result.Stderr));
        foreach (var (text, create) in Known)
        {
            if (result.Stderr.Contains(text, StringComparison.Ordinal))
                return create(commandLine, result.ExitCode, tail);
        }
        return new PulumiCommandFailedException(commandLine, result.ExitCode, tail);
    }

    internal static string Tail(string stderr)
    {
        var lines = stderr.TrimEnd().Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - TailLines)));
        return tail.Length <= TailChars ? tail : tail[^TailChars..];
    }
}
