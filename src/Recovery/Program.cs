using System.CommandLine;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery</c>: the recovery program. So far it plans (the dry run, offline with
/// <c>--simulate</c>); observing, executing and the daemon arrive with the rest of issue 4.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("es-dr-recovery: detects failures of an es-dr deployment and recovers by re-running the stack with changed inputs.")
        {
            PlanCommand.Create(Console.Out, Console.Error),
            HistoryCommand.Create(Console.Out, Console.Error),
            StatusCommand.Create(Operate.OperatorHost.FromProcess()),
            RebuildNodeCommand.Create(Operate.OperatorHost.FromProcess()),
            FailoverCommand.Create(Operate.OperatorHost.FromProcess()),
            RebuildRegionCommand.Create(Operate.OperatorHost.FromProcess()),
            FailbackCommand.Create(Operate.OperatorHost.FromProcess()),
        };
        var result = root.Parse(args);
        var exit = result.Invoke();
        return result.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
