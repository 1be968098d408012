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
/// </remarks>
public static class DatabaseTier
{
    public const string ReplicationPasswordName = "db-repl-password";
    public const string AdminPasswordName = "db-admin-password";
    public const string MonitorPasswordName = "db-monitor-password";
    private const int CertValidityHours = 2 * 365 * 24;

    public static string PublicAddressVariable(DatabaseHost host) => $"{host.LogicalName}-public-address";
    public static string PrivateAddressVariable(DatabaseHost host) => $"{host.LogicalName}-private-address";

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
            var userData = UserData(topology, settings, db, primary, tls, view.Region, files, monitored);
            var peers = hosts.Where(h => h != view).Select(h => $"${{{PublicAddressVariable(h.Region.Database!)}}}/32").ToList();
            var apps = applications.TryGetValue(view.Region.Name, out var members)
                ? members.Select(m => $"{m.Resources.PrivateIp}/32").ToList()
                : [];
            List<InboundRule> inbound = [new("mysql-peers", DatabaseSettings.Port, peers), new("mysql-app", DatabaseSettings.Port, apps)];
            if (monitoringSource is not null) inbound.Add(new("mysql-monitoring", DatabaseSettings.Port, [monitoringSource]));
            var spec = new HostSpec(db.LogicalName, db.Name, db.Size, db.PrivateIp, userData, inbound, "database");
            var resources = view.Adapter.AddHost(view.Context, view.Resources, spec);
            program.Variable(PublicAddressVariable(db), resources.PublicIp);
            if (db.PrivateIp is null) program.Variable(PrivateAddressVariable(db), resources.PrivateIp);
            built.Add(new DatabaseHostBuild(view.Region, db, resources with { ResourceNames = [.. resources.ResourceNames, .. tls.ResourceNames] }));
        }
        return built;
    }

    private static string UserData(
        DeploymentTopology topology, DatabaseSettings settings, DatabaseHost db, DatabaseHost primary, NodeCredentials tls,
        RegionTopology region, ICollection<RenderedFile> files, bool monitored)
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
            server, ClusterSecurity.CaCertBase64Ref, tls.CertBase64, tls.KeyBase64, sql, topology.Config.Ssh.PublicKeys));
        files.Add(new RenderedFile(region.Name, db.Name, DatabaseHostCloudInit.ConfigFile(flavor), MyCnf.Render(server)));
        files.Add(new RenderedFile(region.Name, db.Name, "user-data (cloud-init)", userData));
        return userData;
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
