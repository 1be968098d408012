using System.CommandLine;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery</c>: the recovery program: the offline dry run (<c>plan --simulate</c>), the audit trail,
/// <c>status</c>, and the operator's actions (rebuild-node, failover, rebuild-region, failback).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var host = Operate.OperatorHost.FromProcess();
        var root = new RootCommand("es-dr-recovery: detects failures of an es-dr deployment and recovers by re-running the stack with changed inputs.")
        {
            PlanCommand.Create(Console.Out, Console.Error),
            HistoryCommand.Create(Console.Out, Console.Error),
            StatusCommand.Create(host),
            RebuildNodeCommand.Create(host),
            FailoverCommand.Create(host),
            RebuildRegionCommand.Create(host),
            FailbackCommand.Create(host),
        };
        var result = root.Parse(args);
        var exit = result.Invoke();
        return result.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
