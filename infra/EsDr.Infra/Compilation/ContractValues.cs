using EsDr.Infra.Outputs;
using EsDr.Infra.Program;

namespace EsDr.Infra.Compilation;

/// <summary>
/// The <see cref="DeployedOutputs"/> contract as program values, written field by field: what its source-generated
/// serializer would write (camelCase, declaration order with <c>contract</c> first, nulls left out), without building
/// the serializer's metadata and a <c>JsonNode</c> tree in every compile (a tenth of a 10-region compile's time).
/// The reader stays the serializer; <c>DeployedOutputsTests</c> reads every compiled program's outputs back through it
/// and compares them with the serializer's own writing, so the two cannot drift apart.
/// </summary>
internal static class ContractValues
{
    public static PMap Of(DeployedOutputs o)
    {
        var map = new PMap { { "contract", o.Contract }, { "activeRegion", o.ActiveRegion } };
        var regions = new PMap();
        foreach (var (name, region) in o.Regions) regions.Add(name, Region(region));
        map.Add("regions", regions);
        map.Add("caCertificate", o.CaCertificate);
        if (o.Monitoring is { } m)
        {
            var monitoring = new PMap { { "cloud", m.Cloud }, { "location", m.Location } };
            Optional(monitoring, "host", m.Host);
            Optional(monitoring, "privateIp", m.PrivateIp);
            monitoring.Add("prometheusUrl", m.PrometheusUrl);
            monitoring.Add("alertmanagerUrl", m.AlertmanagerUrl);
            monitoring.Add("resources", Texts(m.Resources));
            map.Add("monitoring", monitoring);
        }
        if (o.Dns is { } d)
        {
            var dns = new PMap { { "provider", d.Provider }, { "searchName", d.SearchName }, { "primaryRegion", d.PrimaryRegion } };
            Optional(dns, "secondaryRegion", d.SecondaryRegion);
            Optional(dns, "appName", d.AppName);
            map.Add("dns", dns);
        }
        map.Add("resources", o.Resources.Select(r => (object)new PMap { { "name", r.Name }, { "type", r.Type } }).ToList());
        return map;
    }

    private static PMap Region(DeployedRegion r)
    {
        var map = new PMap
        {
            { "cloud", r.Cloud }, { "location", r.Location }, { "state", r.State }, { "generation", r.Generation },
            { "clusterName", r.ClusterName }, { "endpoint", r.Endpoint }, { "clusterEndpoint", r.ClusterEndpoint },
            { "balancer", new PMap { { "kind", r.Balancer.Kind }, { "resources", Texts(r.Balancer.Resources) } } },
            { "networkResources", Texts(r.NetworkResources) },
            { "nodes", r.Nodes.Select(Node).ToList() },
        };
        if (r.Database is { } db)
        {
            var database = new PMap { { "role", db.Role } };
            Optional(database, "host", db.Host);
            Optional(database, "privateIp", db.PrivateIp);
            database.Add("port", db.Port);
            database.Add("resources", Texts(db.Resources));
            map.Add("database", database);
        }
        if (r.Application is { } app)
            map.Add("application", new PMap { { "endpoint", app.Endpoint }, { "resources", Texts(app.Resources) } });
        return map;
    }

    private static object Node(DeployedNode n)
    {
        var map = new PMap { { "name", n.Name }, { "ordinal", n.Ordinal }, { "generation", n.Generation } };
        Optional(map, "privateIp", n.PrivateIp);
        Optional(map, "publicIp", n.PublicIp);
        map.Add("resources", Texts(n.Resources));
        return map;
    }

    private static List<string> Texts(IReadOnlyList<string> items) => [.. items];

    private static void Optional(PMap map, string key, string? value)
    {
        if (value is not null) map.Add(key, value);
    }
}
