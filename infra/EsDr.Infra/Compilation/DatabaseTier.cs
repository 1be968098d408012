using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>A database host as compiled.</summary>
public sealed record DatabaseHostBuild(RegionTopology Region, DatabaseHost Host, HostResources Resources);

/// <summary>
/// The MySQL/MariaDB tier: one host per region with <c>database</c>, the active region's the primary. Each host
/// gets a certificate from the stack CA, my.cnf from <see cref="MyCnf"/> and bootstrap SQL from
/// <see cref="ReplicationBootstrap"/> and <see cref="RecoveryAdminAccount"/>, with passwords from
/// <c>random:RandomPassword</c> (only their references reach the program). Port 3306 admits exactly the other
/// database hosts (by public address), the region's application servers (by private address) and, with monitoring,
/// the monitoring host's reserved address (its mysqld_exporter, and the recovery program running there).
/// </summary>
/// <remarks>
/// The peers name each other's public addresses: the replica's user-data names the primary's, and every host's
/// firewall names the others'. Those addresses go through program variables (<see cref="PublicAddressVariable"/>)
/// so the hosts can be declared in any order; the adapters keep the firewalls off the VMs' own inputs, so the
/// only VM-to-VM edge is replica → primary.
/// <para>
/// Where the cloud has no firewall (OVH) the host has no public interface either: it sits on the region's private
/// network behind the region's HAProxy VM, whose <c>mysql</c> TCP frontend (<see cref="HaproxyFrontend"/>) is its
/// public face and admits only the peers and the monitoring host; the host's own nftables admit 3306 from the
/// HAProxy VM and the application servers only. Other regions reach it at the HAProxy VM's address, and admit it
/// by the gateway's address its outbound traffic leaves from (<see cref="SourceAddressVariable"/>).
/// </para>
/// </remarks>
public static class DatabaseTier
{
    public const string ReplicationPasswordName = "db-repl-password";
    public const string AdminPasswordName = "db-admin-password";
    public const string MonitorPasswordName = "db-monitor-password";
    private const int CertValidityHours = 2 * 365 * 24;

    public static string PublicAddressVariable(DatabaseHost host) => $"{host.LogicalName}-public-address";
    public static string PrivateAddressVariable(DatabaseHost host) => $"{host.LogicalName}-private-address";

    /// <summary>
    /// Where a host behind a HAProxy VM sends its outbound traffic from (the gateway's address), as the other hosts'
    /// firewalls admit it; a host with its own public address sends from that (<see cref="PublicAddressVariable"/>).
    /// </summary>
    public static string SourceAddressVariable(DatabaseHost host) => $"{host.LogicalName}-source-address";

    /// <summary>The region's database host as other firewalls admit it: <c>address/32</c>, a program value.</summary>
    public static string SourceOf(RegionBuildView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var db = view.Region.Database ?? throw new ArgumentException($"region '{view.Region.Name}' has no database host", nameof(view));
        return $"${{{(BehindHaproxy(view.Adapter, view.Region) ? SourceAddressVariable(db) : PublicAddressVariable(db))}}}/32";
    }

    /// <summary>
    /// Whether the region's database host is reached through its HAProxy VM: on a cloud without firewall (OVH), whose
    /// regions are always fronted by a HAProxy VM, the one public way into the region.
    /// </summary>
    public static bool BehindHaproxy(ICloudAdapter adapter, RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(region);
        return region.Database is not null && !adapter.FiltersInTheCloud && region.Balancer.Kind == BalancerKind.HaProxy;
    }

    /// <summary>
    /// The <c>mysql</c> frontend of a region's HAProxy VM when its database host is behind it, else null: to the host's
    /// fixed private address, from the other regions' database hosts and the monitoring host. Those hosts' addresses
    /// exist only once their VMs do, and a replica's user-data names this VM's address: the first-boot config leaves
    /// them out (a dependency cycle otherwise) and the push brings them.
    /// </summary>
    public static Renderers.HaproxyDatabase? HaproxyFrontend(
        DeploymentTopology topology, RegionBuildView view, IReadOnlyList<RegionBuildView> regions, string? monitoringSource, bool firstBoot)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(regions);
        var region = view.Region;
        if (topology.Config.Database is null || !BehindHaproxy(view.Adapter, region)) return null;
        var db = region.Database!;
        var address = db.PrivateIp ?? throw new InvalidOperationException($"region '{region.Name}': database host {db.Name} behind HAProxy needs a fixed private address");
        var peers = firstBoot
            ? []
            : regions.Where(r => r.Region.Name != region.Name && r.Region.Database is not null).Select(SourceOf);
        List<string> sources = [.. peers];
        if (monitoringSource is not null) sources.Add(monitoringSource);
        return new Renderers.HaproxyDatabase(DatabaseSettings.Port, db.Name, address, sources.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>The database host's private address as a program value: the fixed address, or a reference to the variable.</summary>
    public static string PrivateAddress(DatabaseHost host) => host.PrivateIp ?? $"${{{PrivateAddressVariable(host)}}}";

    public static MySqlFlavor Flavor(DatabaseSettings settings) =>
        settings.Engine == DatabaseEngine.MySql ? MySqlFlavor.MySql : MySqlFlavor.MariaDb;

    public static IReadOnlyList<DatabaseHostBuild> Add(
        DeploymentTopology topology, IReadOnlyList<RegionBuildView> regions,
        IReadOnlyDictionary<string, IReadOnlyList<ApplicationMember>> applications, ICollection<RenderedFile> files,
        string? monitoringSource = null)
    {
        if (topology.Config.Database is not { } settings) return [];
        var hosts = regions.Where(r => r.Region.Database is not null).ToList();
        if (hosts.Count == 0) return [];
        var program = regions[0].Context.Program;
        AddPassword(program, ReplicationPasswordName);
        AddPassword(program, AdminPasswordName);
        var monitored = monitoringSource is not null;
        if (monitored) AddPassword(program, MonitorPasswordName);
        var primary = hosts.Single(r => r.Region.Database!.Role == MySqlRole.Primary).Region.Database!;

        var built = new List<DatabaseHostBuild>();
        foreach (var view in hosts)
        {
            var db = view.Region.Database!;
            var tls = AddCertificate(program, db);
            var apps = applications.TryGetValue(view.Region.Name, out var members)
                ? members.Select(m => $"{m.Resources.PrivateIp}/32").ToList()
                : [];
            var behindHaproxy = BehindHaproxy(view.Adapter, view.Region);
            List<InboundRule> inbound;
            IReadOnlyList<(int, IReadOnlyList<string>)>? hostFirewall = null;
            if (behindHaproxy)
            {
                // The peers and the monitoring host come through the HAProxy VM, from its private address.
                var balancer = $"{view.Region.Balancer.PrivateIp ?? throw new InvalidOperationException($"region '{view.Region.Name}': the HAProxy VM has no fixed private address")}/32";
                inbound = [new("mysql-balancer", DatabaseSettings.Port, [balancer]), new("mysql-app", DatabaseSettings.Port, apps)];
                // No public interface: operators reach SSH by jumping through the HAProxy VM.
                var ssh = topology.Config.Ssh.AllowedCidrs.Append(balancer).Distinct(StringComparer.Ordinal).ToList();
                hostFirewall = [(DatabaseSettings.Port, [balancer, .. apps]), (22, ssh)];
            }
            else
            {
                var peers = hosts.Where(h => h != view).Select(SourceOf).ToList();
                inbound = [new("mysql-peers", DatabaseSettings.Port, peers), new("mysql-app", DatabaseSettings.Port, apps)];
                if (monitoringSource is not null) inbound.Add(new("mysql-monitoring", DatabaseSettings.Port, [monitoringSource]));
            }
            var userData = UserData(topology, settings, db, primary, tls, view.Region, files, monitored, hostFirewall);
            var spec = new HostSpec(db.LogicalName, db.Name, db.Size, db.PrivateIp, userData, inbound, "database") { PublicInterface = !behindHaproxy };
            var resources = view.Adapter.AddHost(view.Context, view.Resources, spec);
            if (behindHaproxy) program.Variable(SourceAddressVariable(db), resources.PublicIp);
            // Where the others connect: the host itself, or the HAProxy VM in front of it.
            var reach = behindHaproxy ? view.Resources.EndpointHost : resources.PublicIp;
            program.Variable(PublicAddressVariable(db), reach);
            resources = resources with { PublicIp = reach };
            if (db.PrivateIp is null) program.Variable(PrivateAddressVariable(db), resources.PrivateIp);
            built.Add(new DatabaseHostBuild(view.Region, db, resources with { ResourceNames = [.. resources.ResourceNames, .. tls.ResourceNames] }));
        }
        return built;
    }

    private static string UserData(
        DeploymentTopology topology, DatabaseSettings settings, DatabaseHost db, DatabaseHost primary, NodeCredentials tls,
        RegionTopology region, ICollection<RenderedFile> files, bool monitored, IReadOnlyList<(int, IReadOnlyList<string>)>? hostFirewall)
    {
        var flavor = Flavor(settings);
        var server = new MySqlServerSettings(db.Role, db.ServerId, BindAddress(db), DatabaseHostCloudInit.TlsFiles)
        {
            Flavor = flavor,
            SemiSync = settings.SemiSync,
            SemiSyncTimeoutMs = settings.SemiSyncTimeoutMs,
            BinlogRetentionHours = settings.BinlogRetentionHours,
        };
        var replicationPassword = Ref.To(ReplicationPasswordName, "result");
        // Every host gets both accounts, so whichever becomes primary already has them. The replication account
        // admits any address: the peers' addresses are known only once the VMs exist (the firewall admits only them).
        var sql = ReplicationBootstrap.PrimarySql(new ReplicationAccount(["%"], replicationPassword) { Flavor = flavor })
            + new RecoveryAdminAccount(Ref.To(AdminPasswordName, "result")) { Flavor = flavor }.Sql();
        if (monitored) sql += new MonitorAccount(Ref.To(MonitorPasswordName, "result")) { Flavor = flavor }.Sql();
        if (db.Role == MySqlRole.Replica)
        {
            // The primary is reached across regions by its public address, unknown when its certificate is issued:
            // the chain is verified against the stack CA, the name is not.
            sql += ReplicationBootstrap.ReplicaSql(new ReplicaSource($"${{{PublicAddressVariable(primary)}}}", replicationPassword, DatabaseHostCloudInit.CaFile)
            {
                Flavor = flavor,
                VerifyServerCertificate = false,
            });
            // MySQL's super_read_only stops even root; MariaDB's read_only does not stop root (READ ONLY ADMIN).
            if (flavor == MySqlFlavor.MySql) sql = "SET GLOBAL super_read_only = OFF;\n" + sql + "SET GLOBAL super_read_only = ON;\n";
        }
        var userData = DatabaseHostCloudInit.Render(new DatabaseHostUserData(
            server, ClusterSecurity.CaCertBase64Ref, tls.CertBase64, tls.KeyBase64, sql, topology.Config.Ssh.PublicKeys)
        {
            HostFirewall = hostFirewall,
        });
        files.Add(new RenderedFile(region.Name, db.Name, DatabaseHostCloudInit.ConfigFile(flavor), MyCnf.Render(server)));
        return UserDataDelivery.Deliver(topology, db.LogicalName, region.Name, db.Name, userData, files);
    }

    /// <summary>
    /// Where the server listens: its fixed private address where the cloud NATs the public address onto it (Linode,
    /// AWS); on DigitalOcean, whose droplets have a separate public interface and no fixed private address, every
    /// interface, with the cloud firewall admitting only the peers and the application servers.
    /// </summary>
    private static string BindAddress(DatabaseHost db) => db.PrivateIp ?? "0.0.0.0";

    /// <summary>Letters, digits and the specials the SQL, shell and YAML around it never need to escape; 32 is MySQL's limit.</summary>
    private static void AddPassword(PulumiProgram program, string name) =>
        program.Add(name, "random:index/randomPassword:RandomPassword",
            new PMap
            {
                { "length", 32 },
                { "special", true },
                { "overrideSpecial", ReplicationBootstrap.PasswordSpecialCharacters },
            },
            RegionContext.Pinned(ProviderPackages.Random));

    private static NodeCredentials AddCertificate(PulumiProgram program, DatabaseHost db)
    {
        var key = $"{db.LogicalName}-tls-key";
        var csr = $"{db.LogicalName}-tls-csr";
        var cert = $"{db.LogicalName}-tls-cert";
        program.Add(key, "tls:index/privateKey:PrivateKey", new PMap { { "algorithm", "RSA" }, { "rsaBits", 2048 } },
            RegionContext.Pinned(ProviderPackages.Tls));
        var ips = new List<string> { "127.0.0.1" };
        if (db.PrivateIp is not null) ips.Insert(0, db.PrivateIp);
        program.Add(csr, "tls:index/certRequest:CertRequest",
            new PMap
            {
                { "privateKeyPem", Ref.To(key, "privateKeyPem") },
                { "subject", new PMap { { "commonName", db.Name } } },
                { "dnsNames", new List<string> { db.Name, "localhost" } },
                { "ipAddresses", ips },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        program.Add(cert, "tls:index/locallySignedCert:LocallySignedCert",
            new PMap
            {
                { "certRequestPem", Ref.To(csr, "certRequestPem") },
                { "caPrivateKeyPem", Ref.To(ClusterSecurity.CaKey, "privateKeyPem") },
                { "caCertPem", Ref.To(ClusterSecurity.CaCert, "certPem") },
                { "validityPeriodHours", CertValidityHours },
                { "allowedUses", new[] { "digital_signature", "key_encipherment", "server_auth", "client_auth" } },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        var certB64 = program.Variable($"{db.LogicalName}-cert-b64", new PMap { { "fn::toBase64", Ref.To(cert, "certPem") } });
        var keyB64 = program.Variable($"{db.LogicalName}-key-b64", new PMap { { "fn::toBase64", Ref.To(key, "privateKeyPem") } });
        return new NodeCredentials([key, csr, cert], certB64, keyB64);
    }
}
