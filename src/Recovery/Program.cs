using System.CommandLine;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery</c>: the recovery program: the offline dry run (<c>plan --simulate</c>), the audit trail,
/// <c>status</c>, CI's refusal of a config that would undo a recovery (<c>check-drift</c>), the operator's actions (rebuild-node, failover, rebuild-region, failback), lifting a block period
/// (<c>acknowledge</c>), the daemon (<c>watch</c>, <c>serve</c>), and the cross-cluster replication set-up the
/// compiled program runs at deploy time (<c>replication apply</c>).
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
            CheckDriftCommand.Create(host),
            RebuildNodeCommand.Create(host),
            FailoverCommand.Create(host),
            RebuildRegionCommand.Create(host),
            FailbackCommand.Create(host),
            InterventionCommands.CreateAck(host),
            InterventionCommands.CreatePause(host),
            InterventionCommands.CreateResume(host),
            WatchCommand.CreateWatch(host),
            WatchCommand.CreateServe(host),
            Replication.ReplicationCommand.Create(Console.Out, Console.Error),
        };
        var result = root.Parse(args);
        // SIGINT/SIGTERM cancel the daemon; it gets time to finish recording the current step and release the lease.
        var exit = result.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
        return result.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }
}
