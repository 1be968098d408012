using EsDr.Infra.Config;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Admits the machines that run <c>pulumi up</c> wherever the deploy reaches into the regions
/// (<see cref="DeployReach"/>): the <c>es-dr:deployer</c> networks and, with monitoring, the monitoring host,
/// where recovery runs and re-runs the stack (a failover moves the active region, which re-runs the replication
/// set-up and pushes every HAProxy config from there). The regional endpoints admit them as clients of 9200 (and a
/// HAProxy VM's cluster port 9210), like <c>elasticsearch.clientCidrs</c>; pushed HAProxy VMs admit them on port 22.
/// </summary>
public static class DeployerAccess
{
    /// <param name="monitoringSource">The monitoring host's reserved address as a /32 (an interpolation), or null.</param>
    public static DeploymentTopology Admit(DeploymentTopology topology, string? monitoringSource)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var config = topology.Config;
        var deployers = (config.Deployer?.Cidrs ?? []).ToList();
        var es = config.Elasticsearch;
        var admitted = topology with
        {
            Config = config with { Elasticsearch = es with { ClientCidrs = es.ClientCidrs.Concat(deployers).Distinct(StringComparer.Ordinal).ToList() } },
        };
        if (DeployReach.PushedHaproxies(config).Count == 0) return admitted;
        if (monitoringSource is not null) deployers.Add(monitoringSource);
        return admitted with { DeployerSources = deployers.Distinct(StringComparer.Ordinal).ToList() };
    }
}
