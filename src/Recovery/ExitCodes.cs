namespace EsDr.Recovery;

/// <summary>The recovery program's exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The stack config is invalid or names no region the scenario needs.</summary>
    public const int InvalidConfig = 1;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 2;
    /// <summary>A file named on the command line does not exist.</summary>
    public const int FileNotFound = 4;
}
