namespace EsDr.Compiler;

/// <summary>The compiler's exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The stack config is invalid; every problem is on stderr, nothing on stdout.</summary>
    public const int InvalidConfig = 1;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 2;
    /// <summary>The emitted program does not match the provider schemas: a compiler bug, never deployed.</summary>
    public const int InvalidProgram = 3;
    /// <summary>
    /// A file the command reads (the stack file, the project's Pulumi.yaml) does not exist, is not a regular file (a
    /// directory, FIFO or device) or cannot be read.
    /// </summary>
    public const int FileNotFound = 4;
    /// <summary>An exception no command expected: a bug in es-dr, reported with its stack trace on stderr; nothing on stdout.</summary>
    public const int InternalError = 7;
    /// <summary>SIGINT or SIGTERM stopped the command before it finished (the shell's code for an interrupt).</summary>
    public const int Interrupted = 130;
}
