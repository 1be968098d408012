using System.Globalization;
using EsDr.Infra.Config;
using YamlDotNet.RepresentationModel;
using Entry = System.Collections.Generic.KeyValuePair<string, YamlDotNet.RepresentationModel.YamlNode>;

namespace EsDr.Infra.Renderers;

/// <summary>A plain-text file cloud-init writes after packages are installed.</summary>
/// <param name="Permissions">Octal mode, e.g. <c>0644</c>.</param>
public sealed record ExtraFile(string Path, string Content, string Permissions = "0644", string Owner = "root:root");

/// <summary>
/// Everything an Elasticsearch VM's first boot needs. Certificates and key are single-line base64 of
/// their PEM text (usually Pulumi references); the password is placed verbatim into a shell command.
/// </summary>
/// <param name="Version">Exact Elasticsearch version of the supported major (<see cref="ElasticsearchVersion"/>), e.g. <c>9.5.7</c>.</param>
/// <param name="DataVolumeDevice">Block device of a separate data volume, or null to keep data on the boot disk.</param>
/// <param name="BootstrapPassword">The <c>elastic</c> user's initial password; must not contain <c>' " \</c> or a line break.</param>
public sealed record ElasticsearchUserData(
    ElasticsearchNodeSettings Node,
    string Version,
    int HeapGb,
    IReadOnlyList<string> SshAuthorizedKeys,
    string? DataVolumeDevice,
    string CaCertificateBase64,
    string NodeCertificateBase64,
    string NodeKeyBase64,
    string BootstrapPassword)
{
    public IReadOnlyList<ExtraFile> ExtraFiles { get; init; } = [];

    /// <summary>
    /// The bcrypt hash of the read-only monitoring user's password (<see cref="ElasticsearchRoles.MonitorPrincipal"/>,
    /// a file-realm user), or null when the stack has no monitoring host.
    /// </summary>
    public string? MonitorPasswordHash { get; init; }

    /// <summary>Shell lines run (in order) after Elasticsearch has been started.</summary>
    public IReadOnlyList<string> ExtraRunCommands { get; init; } = [];
}

/// <summary>What a region's HAProxy VM needs on first boot.</summary>
/// <param name="CaCertificateBase64">Base64 PEM written to <see cref="HaproxyFrontendSettings.CaFilePath"/>.</param>
public sealed record HaproxyUserData(
    HaproxyFrontendSettings Frontend,
    string CaCertificateBase64,
    IReadOnlyList<string> SshAuthorizedKeys)
{
    /// <summary>
    /// When set, the host itself admits SSH only from these sources (nftables), for clouds with no
    /// firewall in front of the VM; null leaves SSH filtering to the cloud firewall.
    /// </summary>
    public IReadOnlyList<string>? SshSources { get; init; }
}

/// <summary>
/// Renders #cloud-config user-data. Sections are merged in a fixed order (APT, packages, volume,
/// SSH keys, files, commands). Files that need a package's user or directory are deferred until after
/// package installation; runcmd runs after that.
/// </summary>
public static partial class CloudInit
{
    public const string Header = "#cloud-config\n";

    public const string ElasticsearchConfigDir = "/etc/elasticsearch";
    public const string HaproxyConfigFile = "/etc/haproxy/haproxy.cfg";

    /// <summary>
    /// Elastic's package signing key (https://artifacts.elastic.co/GPG-KEY-elasticsearch), the one fingerprint Elastic's
    /// Debian install page names for every release line, 9.x included.
    /// </summary>
    internal const string ElasticSigningKey = "46095ACC8548582C1A2699A9D27D666CD88E42B4";
    internal const string KeyServer = "hkps://keyserver.ubuntu.com";

    private const string EsBin = "/usr/share/elasticsearch/bin";
    private const string EsOwner = "root:elasticsearch";
    private const string SysctlFile = "/etc/sysctl.d/90-elasticsearch.conf";
    private const string DataVolumeLabel = "esdata";

    // Secure settings the package's security auto-configuration leaves in the keystore. They belong to
    // its generated PKCS#12 stores, which our PEM-based config replaces, so they must go.
    private static readonly string[] AutoConfiguredSecureSettings =
    [
        "xpack.security.transport.ssl.keystore.secure_password",
        "xpack.security.transport.ssl.truststore.secure_password",
        "xpack.security.http.ssl.keystore.secure_password",
        "autoconfiguration.password_hash",
    ];

    private static readonly char[] ForbiddenPasswordChars = ['\'', '"', '\\', '\n', '\r'];

    public static string Render(ElasticsearchUserData u)
    {
        ArgumentNullException.ThrowIfNull(u);
        if (u.BootstrapPassword.IndexOfAny(ForbiddenPasswordChars) >= 0)
        {
            throw new ArgumentException(
                "The bootstrap password must not contain quotes, backslashes or line breaks.", nameof(u));
        }

        var sections = new[]
        {
            BootCommands(u.DataVolumeDevice),
            ElasticRepository(),
            Packages($"elasticsearch={SupportedVersion(u.Version)}"),
            DataVolume(u.DataVolumeDevice, u.Node.DataPath),
            SshKeys(u.SshAuthorizedKeys),
            [Yaml.Entry("write_files", Yaml.List(ElasticsearchFiles(u)))],
            [Yaml.Entry("runcmd", Yaml.List(ElasticsearchCommands(u).Select(Yaml.Str)))],
        };
        return Header + Yaml.Serialize(Yaml.Map(sections.SelectMany(s => s)));
    }

    public static string RenderHaproxyHost(HaproxyUserData h)
    {
        ArgumentNullException.ThrowIfNull(h);
        // Deferred: installing the package would otherwise replace our haproxy.cfg with its default.
        var files = new List<YamlNode>
        {
            PlainFile(HaproxyConfigFile, HaproxyConfig.Render(h.Frontend), "root:root", "0644", defer: true),
            Base64File(h.Frontend.CaFilePath, h.CaCertificateBase64, "root:root", "0644", defer: true),
        };
        var commands = new List<string>();
        var packages = new List<string> { "haproxy" };
        if (h.SshSources is { } sources)
        {
            // Deferred like haproxy.cfg: the nftables package owns this conffile.
            packages.Add("nftables");
            files.Add(PlainFile(NftablesRules.ConfigFile, NftablesRules.SshOnlyFrom(sources), "root:root", "0755", defer: true));
            commands.Add($"nft -c -f {NftablesRules.ConfigFile} && systemctl enable nftables && systemctl restart nftables");
        }
        // Never reload a config HAProxy rejects; the package's default keeps running instead.
        commands.Add($"haproxy -c -f {HaproxyConfigFile} && systemctl reload-or-restart haproxy");
        commands.Add("systemctl enable haproxy");
        var sections = new[]
        {
            Packages([.. packages]),
            SshKeys(h.SshAuthorizedKeys),
            [Yaml.Entry("write_files", Yaml.List(files))],
            [Yaml.Entry("runcmd", Yaml.List(commands))],
        };
        return Header + Yaml.Serialize(Yaml.Map(sections.SelectMany(s => s)));
    }

    /// <summary>The version, refused unless it is of the supported major: the APT repository carries no other.</summary>
    private static string SupportedVersion(string version) =>
        ElasticsearchVersion.IsSupported(version)
            ? version
            : throw new ArgumentException($"Elasticsearch version '{version}' is not an exact {ElasticsearchVersion.Line} version such as {ElasticsearchVersion.Example}.", nameof(version));

    private static IEnumerable<Entry> ElasticRepository()
    {
        // $KEY_FILE makes cloud-init store the fetched key in its own keyring and reference it with
        // signed-by, so the key is trusted for this repository only.
        var source = Yaml.Map(
        [
            Yaml.Entry("source", Yaml.Str($"deb [signed-by=$KEY_FILE] https://artifacts.elastic.co/packages/{ElasticsearchVersion.Line}/apt stable main")),
            Yaml.Entry("keyid", Yaml.Str(ElasticSigningKey)),
            Yaml.Entry("keyserver", Yaml.Str(KeyServer)),
        ]);
        yield return Yaml.Entry("apt", Yaml.Map([Yaml.Entry("sources", Yaml.Map([Yaml.Entry("elastic", source)]))]));
    }

    private static IEnumerable<Entry> Packages(params string[] packages)
    {
        yield return Yaml.Entry("package_update", Yaml.Bool(true));
        yield return Yaml.Entry("packages", Yaml.List(packages));
    }

    /// <summary>
    /// bootcmd runs early, before the apt module and before fs_setup and mounts, on every boot (each
    /// command is guarded so later boots are cheap).
    /// </summary>
    private static IEnumerable<Entry> BootCommands(string? device)
    {
        var commands = new List<string>
        {
            // Debian's cloud images ship without gpg and dirmngr, which the apt module needs to fetch
            // Elastic's signing key by fingerprint; without them the repository is never added.
            "command -v dirmngr >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gpg dirmngr; }",
        };
        if (device is not null)
        {
            // Volumes may be attached after boot begins (e.g. an EBS attachment): wait up to two minutes.
            commands.Add($"for i in $(seq 60); do [ -b {device} ] && break; sleep 2; done; udevadm settle");
        }
        yield return Yaml.Entry("bootcmd", Yaml.List(commands.Select(Yaml.Str)));
    }

    private static IEnumerable<Entry> DataVolume(string? device, string mountPoint)
    {
        if (device is null)
        {
            yield break;
        }
        // cloud-init reads a dot in a device path as "<device>.<partition>".
        if (device.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Data volume device '{device}' must not contain a dot.", nameof(device));
        }
        // partition auto formats only a blank disk and keeps our own labelled file system, so a
        // reattached volume keeps its data. ("none" would run mkfs -F on every new instance.)
        var fileSystem = Yaml.Map(
        [
            Yaml.Entry("label", Yaml.Str(DataVolumeLabel)),
            Yaml.Entry("filesystem", Yaml.Str("ext4")),
            Yaml.Entry("device", Yaml.Str(device)),
            Yaml.Entry("partition", Yaml.Str("auto")),
        ]);
        yield return Yaml.Entry("fs_setup", Yaml.List([fileSystem]));
        // nofail keeps a missing volume from blocking boot; the service drop-in keeps Elasticsearch
        // from starting on the empty mount point instead.
        yield return Yaml.Entry("mounts", Yaml.List(
            [Yaml.List([device, mountPoint, "ext4", "defaults,nofail,noatime", "0", "2"])]));
    }

    private static IEnumerable<Entry> SshKeys(IReadOnlyList<string> keys)
    {
        if (keys.Count > 0)
        {
            yield return Yaml.Entry("ssh_authorized_keys", Yaml.List(keys));
        }
    }

    private static IEnumerable<YamlNode> ElasticsearchFiles(ElasticsearchUserData u)
    {
        yield return PlainFile(SysctlFile, $"vm.max_map_count=262144\n", "root:root", "0644", defer: false);
        if (u.DataVolumeDevice is not null)
        {
            yield return PlainFile(
                "/etc/systemd/system/elasticsearch.service.d/data-volume.conf",
                $"[Unit]\nRequiresMountsFor={u.Node.DataPath}\n",
                "root:root",
                "0644",
                defer: false);
        }

        // Deferred: the elasticsearch group and /etc/elasticsearch exist only once the package is installed.
        yield return PlainFile(EsConfig("elasticsearch.yml"), ElasticsearchYml.Render(u.Node), EsOwner, "0660", defer: true);
        yield return PlainFile(EsConfig("roles.yml"), ElasticsearchRoles.Render(), EsOwner, "0660", defer: true);
        if (u.MonitorPasswordHash is { } hash)
        {
            // File-realm user: known to every node from first boot, with no API call and no plain password on the node.
            yield return PlainFile(EsConfig("users"), $"{ElasticsearchRoles.MonitorPrincipal}:{hash}\n", EsOwner, "0640", defer: true);
            yield return PlainFile(EsConfig("users_roles"), $"{ElasticsearchRoles.MonitorPrincipal}:{ElasticsearchRoles.MonitorPrincipal}\n", EsOwner, "0640", defer: true);
        }
        yield return PlainFile(EsConfig("jvm.options.d/heap.options"), JvmHeap.RenderOptions(u.HeapGb), EsOwner, "0660", defer: true);
        yield return Base64File(EsConfig(ElasticsearchYml.CaCertificateFile), u.CaCertificateBase64, EsOwner, "0644", defer: true);
        yield return Base64File(EsConfig(ElasticsearchYml.NodeCertificateFile), u.NodeCertificateBase64, EsOwner, "0644", defer: true);
        yield return Base64File(EsConfig(ElasticsearchYml.NodeKeyFile), u.NodeKeyBase64, EsOwner, "0640", defer: true);

        foreach (var file in u.ExtraFiles)
        {
            yield return PlainFile(file.Path, file.Content, file.Owner, file.Permissions, defer: true);
        }
    }

    private static IEnumerable<string> ElasticsearchCommands(ElasticsearchUserData u)
    {
        var keystore = $"{EsBin}/elasticsearch-keystore";
        yield return $"sysctl -p {SysctlFile}";
        // Version changes come through config (a node rebuild), never from an unattended upgrade.
        yield return "apt-mark hold elasticsearch";
        yield return $"for s in {string.Join(' ', AutoConfiguredSecureSettings)}; do "
            + $"if {keystore} list | grep -qx $s; then {keystore} remove $s; fi; done";
        // The password reaches the keystore on stdin, so it never appears in a process list or a log.
        yield return $"printf '%s' '{u.BootstrapPassword}' | {keystore} add -f -x bootstrap.password";
        // The keystore tool runs as root; the service runs as elasticsearch and must still read it.
        yield return $"chown root:elasticsearch {EsConfig("elasticsearch.keystore")}";
        yield return $"chmod 0660 {EsConfig("elasticsearch.keystore")}";
        // A freshly formatted volume is owned by root, and non-default paths do not exist yet.
        yield return $"install -d -o elasticsearch -g elasticsearch -m 2750 {u.Node.DataPath} {u.Node.LogPath}";
        yield return "systemctl daemon-reload";
        yield return "systemctl enable --now elasticsearch.service";
        foreach (var command in u.ExtraRunCommands)
        {
            yield return command;
        }
    }

    private static string EsConfig(string relativePath) => $"{ElasticsearchConfigDir}/{relativePath}";

    private static YamlMappingNode PlainFile(string path, string content, string owner, string permissions, bool defer) =>
        File(path, Yaml.Block(content), encoding: null, owner, permissions, defer);

    private static YamlMappingNode Base64File(string path, string base64, string owner, string permissions, bool defer) =>
        File(path, Yaml.Str(base64), encoding: "b64", owner, permissions, defer);

    private static YamlMappingNode File(
        string path, YamlNode content, string? encoding, string owner, string permissions, bool defer)
    {
        var entries = new List<Entry>
        {
            Yaml.Entry("path", Yaml.Str(path)),
            Yaml.Entry("owner", Yaml.Str(owner)),
            Yaml.Entry("permissions", Yaml.Str(permissions)),
        };
        if (encoding is not null)
        {
            entries.Add(Yaml.Entry("encoding", Yaml.Str(encoding)));
        }
        entries.Add(Yaml.Entry("content", content));
        entries.Add(Yaml.Entry("defer", Yaml.Bool(defer)));
        return Yaml.Map(entries);
    }
}
