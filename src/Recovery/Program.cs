namespace EsDr.Recovery;

/// <summary>
/// The recovery program. Its observe → analyse → plan → execute loop arrives with issue 4; until then
/// it only proves it can read the same topology the compiler builds.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("es-dr-recovery: not available yet; see README (issue 4).");
        return args.Length == 0 ? 64 : 64;
    }
}
