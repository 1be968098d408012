namespace EsDr.Recovery;

/// <summary>
/// The recovery program. Its observe → analyse → plan → execute loop arrives with issue 4; until then it
/// says so and exits with <see cref="NotYetAvailable"/>, so no script can mistake it for a recovery.
/// </summary>
internal static class Program
{
    /// <summary>EX_UNAVAILABLE from sysexits.h: the service is not available.</summary>
    private const int NotYetAvailable = 69;

    private static int Main()
    {
        Console.Error.WriteLine("es-dr-recovery: the recovery program is not available yet (issue 4); see README.");
        return NotYetAvailable;
    }
}
