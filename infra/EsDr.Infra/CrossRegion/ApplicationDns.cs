using System.Globalization;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Program;

namespace EsDr.Infra.CrossRegion;

/// <summary>
/// The application endpoint's name (<c>dns.appName</c>), treated like the search name (<see cref="DnsFailover"/>):
/// with Route 53 an HTTP health check of the health path per region and PRIMARY (active region) / SECONDARY (first
/// standby with an application pool) failover records; with a Linode or DigitalOcean domain one record pointing at
/// the active region's application endpoint, moved by re-running the stack. Outside the regions, like the search name.
/// </summary>
public static class ApplicationDns
{
    /// <returns>The <c>dns</c> output with the application's name added when there is one.</returns>
    public static DeployedDns? Add(PulumiProgram program, StackConfig config, IReadOnlyList<ApplicationPoolBuild> pools, DeployedDns? output)
    {
        if (config.Dns is not { AppName: { } name } dns || config.Application is not { } app) return output;
        var active = pools.Single(p => p.Region.Name == config.ActiveRegion);
        var standby = pools.FirstOrDefault(p => p.Region.Config.State == RegionState.Standby);
        switch (dns.Provider)
        {
            case DnsProvider.Route53:
                AddFailoverRecord(program, config, dns, app, active, "PRIMARY");
                if (standby is not null) AddFailoverRecord(program, config, dns, app, standby, "SECONDARY");
                break;
            case DnsProvider.Linode:
                program.Add("dns-app", "linode:index/domainRecord:DomainRecord",
                    new PMap
                    {
                        { "domainId", int.Parse(dns.ZoneId!, CultureInfo.InvariantCulture) },
                        { "name", name },
                        { "recordType", active.Balancer.EndpointAliasZoneId is null ? "A" : "CNAME" },
                        { "target", active.Balancer.EndpointHost },
                        { "ttlSec", Math.Max(dns.Ttl, 30) },
                    },
                    new ResourceOptions { Version = ProviderPackages.VersionOf(ProviderPackages.Linode) });
                break;
            default:
                var byName = active.Balancer.EndpointAliasZoneId is not null;
                program.Add("dns-app", "digitalocean:index/dnsRecord:DnsRecord",
                    new PMap
                    {
                        { "domain", dns.Zone },
                        { "name", name },
                        { "type", byName ? "CNAME" : "A" },
                        { "value", byName ? $"{active.Balancer.EndpointHost}." : active.Balancer.EndpointHost },
                        { "ttl", dns.Ttl },
                    },
                    new ResourceOptions { Version = ProviderPackages.VersionOf(ProviderPackages.DigitalOcean) });
                break;
        }
        return output is null ? null : output with { AppName = dns.AppFqdn };
    }

    private static void AddFailoverRecord(
        PulumiProgram program, StackConfig config, DnsSettings dns, ApplicationSettings app, ApplicationPoolBuild pool, string role)
    {
        var key = pool.Region.Key;
        var byName = pool.Balancer.EndpointAliasZoneId is not null;
        var provider = new ResourceOptions { Provider = $"${{{DnsFailover.ProviderName}}}" };
        var reference = $"{config.NamePrefix}-{key}-app";
        var check = program.Add($"dns-{key}-app-health", "aws:route53/healthCheck:HealthCheck",
            new PMap
            {
                { "type", "HTTP" },
                { byName ? "fqdn" : "ipAddress", pool.Balancer.EndpointHost },
                { "port", app.PublicPort },
                { "resourcePath", app.HealthPath },
                { "requestInterval", dns.HealthCheckIntervalSeconds },
                { "failureThreshold", dns.FailureThreshold },
                { "referenceName", reference.Length > 64 ? reference[..64] : reference },
                { "tags", new PMap { { "Name", reference }, { "es-dr-region", pool.Region.Name } } },
            },
            provider);
        var record = new PMap
        {
            { "zoneId", dns.ZoneId! },
            { "name", dns.AppFqdn! },
            { "type", "A" },
            { "setIdentifier", $"{pool.Region.Name}-app" },
            { "failoverRoutingPolicies", new[] { new PMap { { "type", role } } } },
            { "healthCheckId", check.Out("id") },
        };
        if (byName)
            record.Add("aliases", new[]
            {
                new PMap { { "name", pool.Balancer.EndpointHost }, { "zoneId", pool.Balancer.EndpointAliasZoneId! }, { "evaluateTargetHealth", true } },
            });
        else
        {
            record.Add("ttl", dns.Ttl);
            record.Add("records", new[] { pool.Balancer.EndpointHost });
        }
        program.Add($"dns-{key}-app", "aws:route53/record:Record", record, provider);
    }
}
