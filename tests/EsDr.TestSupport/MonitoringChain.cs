using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Renderers.Monitoring;
using YamlDotNet.RepresentationModel;

namespace EsDr.TestSupport;

/// <summary>
/// The files a stack's monitoring host is given, as the compiler renders them (taken from the host's user-data):
/// prometheus.yml, the rules, alertmanager.yml, and per database region the mysqld_exporter's option file and unit.
/// </summary>
internal sealed record RenderedMonitoring(
    string PrometheusYml,
    string RulesYml,
    string AlertmanagerYml,
    IReadOnlyDictionary<string, (string OptionFile, string Unit)> MysqldExporters,
    IReadOnlyDictionary<string, (string EnvironmentFile, string Unit)> ElasticsearchExporters)
{
    public static RenderedMonitoring Compile(StackConfig config)
    {
        var compiled = StackCompilation.Compile(config);
        var userData = compiled.Files.Single(f => f.Region == MonitoringSite.Key && f.Path == "user-data (cloud-init)").Text;
        var written = WrittenFiles(userData);
        string File(string path) => written.TryGetValue(path, out var text) ? text
            : throw new InvalidOperationException($"the monitoring host's user-data writes no {path}");
        var exporters = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var path in written.Keys)
        {
            var m = Regex.Match(path, "^/etc/esdr/mysqld-exporter-(?<region>.+)\\.cnf$");
            if (m.Success)
            {
                var region = m.Groups["region"].Value;
                exporters[region] = (written[path], File($"/etc/systemd/system/esdr-mysqld-exporter-{region}.service"));
            }
        }
        var elasticsearch = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var path in written.Keys)
        {
            var m = Regex.Match(path, "^/etc/esdr/es-exporter-(?<region>.+)\\.env$");
            if (m.Success)
            {
                var region = m.Groups["region"].Value;
                elasticsearch[region] = (written[path], File($"/etc/systemd/system/esdr-es-exporter-{region}.service"));
            }
        }
        return new RenderedMonitoring(
            File(MonitoringHost.PrometheusConfigFile), File(MonitoringHost.RulesFile), File(MonitoringHost.AlertmanagerConfigFile), exporters,
            elasticsearch);
    }

    /// <summary>cloud-init's write_files, the compressed ones decompressed.</summary>
    private static Dictionary<string, string> WrittenFiles(string userData)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in ((YamlSequenceNode)root.Children[new YamlScalarNode("write_files")]).Children.Cast<YamlMappingNode>())
        {
            string? Field(string name) => file.Children.TryGetValue(new YamlScalarNode(name), out var v) ? ((YamlScalarNode)v).Value : null;
            var content = Field("content") ?? "";
            files[Field("path")!] = Field("encoding") == CloudConfigCompression.Encoding ? CloudConfigCompression.Decompress(content) : content;
        }
        return files;
    }
}

/// <summary>The intervals the chain runs with; rule expressions and <c>for:</c> durations are never changed.</summary>
/// <param name="ScrapeInterval">Prometheus's scrape_interval.</param>
/// <param name="EvaluationInterval">Prometheus's evaluation_interval.</param>
/// <param name="GroupWait">Alertmanager's group_wait: how long a new group waits before its first notification.</param>
/// <param name="GroupInterval">Alertmanager's group_interval: how long a notified group waits before sending what changed in it.</param>
/// <param name="RepeatInterval">Alertmanager's repeat_interval: when an unchanged group is sent again.</param>
internal sealed record ChainTimings(
    TimeSpan ScrapeInterval, TimeSpan EvaluationInterval, TimeSpan GroupWait, TimeSpan GroupInterval, TimeSpan RepeatInterval)
{
    /// <summary>As the renderers' defaults give them (every example stack keeps them).</summary>
    public static ChainTimings Rendered { get; } = From(new PrometheusSettings([], [], [], "", RecoveryScrape.Beside("http://127.0.0.1/alerts")), new AlertmanagerSettings("", ""));

    private static ChainTimings From(PrometheusSettings prometheus, AlertmanagerSettings alertmanager) =>
        new(prometheus.ScrapeInterval, prometheus.EvaluationInterval, alertmanager.GroupWait, alertmanager.GroupInterval, alertmanager.RepeatInterval);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"scrape {ScrapeInterval.TotalSeconds} s, evaluation {EvaluationInterval.TotalSeconds} s, group_wait {GroupWait.TotalSeconds} s, group_interval {GroupInterval.TotalSeconds} s, repeat_interval {RepeatInterval.TotalMinutes} min");
}

/// <summary>
/// The monitoring host's chain on loopback, from the stack's rendered configs: Debian's mysqld_exporter (one per
/// database server of a <see cref="MariaDbPair"/>, logging in with the rendered monitor account over TLS), Debian's
/// elasticsearch_exporter (one per cluster given an endpoint), Prometheus with the rendered rules, and Alertmanager
/// sending to the given receiver. The configs are changed only where loopback needs it: listen addresses and targets,
/// the exporters' logins (the rendered passwords are Pulumi references, the CA path the host's; a plain-HTTP endpoint
/// gets no CA), the token file's path, and the intervals of <see cref="ChainTimings"/>; rule expressions and
/// <c>for:</c> durations are not touched. blackbox_exporter is not run (it probes https endpoints): its target points at
/// a loopback port where nothing listens, as does a cluster's exporter target when no endpoint is given for it, so they
/// are scraped and found down. Every wait is bounded; processes are killed and the directory deleted on dispose; each
/// process's output is kept for failure messages.
/// </summary>
internal sealed class MonitoringChain : IAsyncDisposable
{
    public const string PrometheusBinary = "/usr/bin/prometheus";
    public const string AlertmanagerBinary = "/usr/bin/prometheus-alertmanager";
    public const string MysqldExporterBinary = "/usr/bin/prometheus-mysqld-exporter";
    public const string ElasticsearchExporterBinary = "/usr/bin/prometheus-elasticsearch-exporter";

    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    private readonly string dir = Directory.CreateTempSubdirectory("esdr-chain-").FullName;
    private readonly Dictionary<string, ToolProcess> exporters = new(StringComparer.Ordinal);
    private readonly List<ToolProcess> processes = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private MonitoringChain()
    {
    }

    public Uri Prometheus { get; private set; } = null!;
    public Uri Alertmanager { get; private set; } = null!;

    /// <summary>The configs as run (after the loopback changes), for failure messages and the report.</summary>
    public string PrometheusYml { get; private set; } = "";
    public string AlertmanagerYml { get; private set; } = "";

    /// <param name="databases">Each database region of the rendered config and the pair's server it is.</param>
    /// <param name="receiver">The recovery webhook's base address (http on loopback): alerts go to its <c>/alerts</c>, its <c>/metrics</c> is scraped.</param>
    public static async Task<MonitoringChain> StartAsync(
        RenderedMonitoring rendered, MariaDbPair pair, IReadOnlyDictionary<string, MariaDbPair.Server> databases,
        IReadOnlyDictionary<string, Uri> clusters, Uri receiver, string token, ChainTimings timings, int alertmanagerPort,
        CancellationToken cancellationToken)
    {
        var chain = new MonitoringChain();
        try
        {
            await chain.StartAllAsync(rendered, pair, databases, clusters, receiver, token, timings, alertmanagerPort, cancellationToken);
            return chain;
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(
        RenderedMonitoring rendered, MariaDbPair pair, IReadOnlyDictionary<string, MariaDbPair.Server> databases,
        IReadOnlyDictionary<string, Uri> clusters, Uri receiver, string token, ChainTimings timings, int alertmanagerPort,
        CancellationToken cancellationToken)
    {
        foreach (var binary in new[] { PrometheusBinary, AlertmanagerBinary, MysqldExporterBinary, ElasticsearchExporterBinary })
            if (!File.Exists(binary))
                throw new InvalidOperationException($"{binary} is required (Debian: apt-get install prometheus prometheus-alertmanager "
                    + "prometheus-mysqld-exporter prometheus-elasticsearch-exporter; ./test.sh installs them)");

        var prometheusYml = rendered.PrometheusYml;
        var nothingListens = "127.0.0.1:" + Port(Loopback.FreePort());
        // First: elasticsearch_exporter 1.5 serves only after its first GET / answered or timed out (10 s).
        foreach (var (region, files) in rendered.ElasticsearchExporters.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var (renderedListen, arguments) = ExporterArguments(files.Unit);
            if (!clusters.TryGetValue(region, out var endpoint))
            {
                // No cluster here for it: scraped where nothing listens, so found down.
                prometheusYml = ReplaceOnce(prometheusYml, renderedListen, nothingListens, $"the {region} elasticsearch_exporter's target");
                continue;
            }
            var listen = "127.0.0.1:" + Port(Loopback.FreePort());
            prometheusYml = ReplaceOnce(prometheusYml, renderedListen, listen, $"the {region} elasticsearch_exporter's target");
            var plain = endpoint.Scheme == Uri.UriSchemeHttp;
            var process = ToolProcess.Start($"elasticsearch_exporter {region}", ElasticsearchExporterBinary,
            [
                .. arguments
                    // The rendered CA verifies the endpoint's https; a plain-HTTP stand-in has none.
                    .Where(a => !(plain && a.StartsWith("--es.ca=", StringComparison.Ordinal)))
                    .Select(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal) ? "--web.listen-address=" + listen
                        : a.StartsWith("--es.uri=", StringComparison.Ordinal) ? "--es.uri=" + endpoint.GetLeftPart(UriPartial.Authority)
                        : a),
            ],
            // The rendered login (its password a Pulumi reference): the stand-in does not check it.
            EnvironmentOf(files.EnvironmentFile.Replace("ES_PASSWORD=", "ES_PASSWORD=unchecked-", StringComparison.Ordinal)));
            processes.Add(process);
        }

        // The monitor account as the stack's database hosts get it, on both servers (it is not binlogged).
        var account = new MonitorAccount("monitor-pw-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var (region, server) in databases.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            await MariaDbPair.RootAsync(server, account.Sql(), cancellationToken);
            if (!rendered.MysqldExporters.TryGetValue(region, out var files))
                throw new InvalidOperationException($"the rendered monitoring host has no mysqld_exporter for {region}");
            var optionFile = Path.Combine(dir, $"mysqld-exporter-{region}.cnf");
            await File.WriteAllTextAsync(optionFile, LoopbackOptionFile(files.OptionFile, server, account.Password, pair.CaPath), cancellationToken);
            var (renderedListen, arguments) = ExporterArguments(files.Unit);
            var listen = "127.0.0.1:" + Port(Loopback.FreePort());
            prometheusYml = ReplaceOnce(prometheusYml, renderedListen, listen, $"the {region} mysqld_exporter's target");
            var process = ToolProcess.Start($"mysqld_exporter {region}", MysqldExporterBinary,
            [
                .. arguments.Select(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal) ? "--web.listen-address=" + listen
                    : a.StartsWith("--config.my-cnf=", StringComparison.Ordinal) ? "--config.my-cnf=" + optionFile
                    : a),
            ]);
            processes.Add(process);
            exporters[region] = process;
        }

        var prometheusPort = Loopback.FreePort();
        Prometheus = new Uri($"http://127.0.0.1:{Port(prometheusPort)}/");
        Alertmanager = new Uri($"http://127.0.0.1:{Port(alertmanagerPort)}/");
        prometheusYml = Global(prometheusYml, "scrape_interval", timings.ScrapeInterval);
        prometheusYml = Global(prometheusYml, "evaluation_interval", timings.EvaluationInterval);
        prometheusYml = ReplaceOnce(prometheusYml, PrometheusConfig.AlertmanagerAddress, Alertmanager.Authority, "the Alertmanager target");
        prometheusYml = ReplaceOnce(prometheusYml, "localhost:9090", Prometheus.Authority, "Prometheus's own target");
        prometheusYml = ReplaceRecoveryTarget(prometheusYml, receiver);
        // Not run here (it would probe https endpoints no stand-in serves): scraped where nothing listens, so found down.
        prometheusYml = ReplaceBlackbox(prometheusYml, nothingListens);
        PrometheusYml = prometheusYml;
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), prometheusYml, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, MonitoringHost.RulesFileName), rendered.RulesYml, cancellationToken);

        var tokenFile = Path.Combine(dir, "alertmanager-webhook.token");
        await File.WriteAllTextAsync(tokenFile, token + "\n", cancellationToken);
        var alertmanagerYml = ReplaceOnce(rendered.AlertmanagerYml, MonitoringHost.TokenFile, tokenFile, "the token file");
        alertmanagerYml = ReplaceRegexOnce(alertmanagerYml, "(?m)(url: ).*$", "${1}" + new Uri(receiver, "alerts"), "the webhook's url");
        alertmanagerYml = Route(alertmanagerYml, "group_wait", timings.GroupWait);
        alertmanagerYml = Route(alertmanagerYml, "group_interval", timings.GroupInterval);
        alertmanagerYml = Route(alertmanagerYml, "repeat_interval", timings.RepeatInterval);
        AlertmanagerYml = alertmanagerYml;
        await File.WriteAllTextAsync(Path.Combine(dir, "alertmanager.yml"), alertmanagerYml, cancellationToken);

        processes.Add(ToolProcess.Start("alertmanager", AlertmanagerBinary,
        [
            "--config.file=" + Path.Combine(dir, "alertmanager.yml"), "--storage.path=" + Path.Combine(dir, "alertmanager"),
            "--web.listen-address=" + Alertmanager.Authority, "--cluster.listen-address=", "--log.level=debug",
        ]));
        processes.Add(ToolProcess.Start("prometheus", PrometheusBinary,
        [
            "--config.file=" + Path.Combine(dir, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(dir, "prometheus"),
            "--web.listen-address=" + Prometheus.Authority,
        ]));
        await UntilAsync(async () => await ReadyAsync(new Uri(Alertmanager, "-/ready"), cancellationToken), "Alertmanager to be ready", StartPatience, cancellationToken);
        await UntilAsync(async () => await ReadyAsync(new Uri(Prometheus, "-/ready"), cancellationToken), "Prometheus to be ready", StartPatience, cancellationToken);
        // Every exporter scraped and logged in to its server: mysql_up is 1 for each database region.
        await UntilAsync(async () =>
        {
            var up = await QueryAsync($"{"mysql_up"} == 1", cancellationToken);
            return databases.Keys.All(region => up.Any(s => s.Labels.GetValueOrDefault(MonitoringLabels.Region) == region));
        }, "every mysqld_exporter to be scraped with mysql_up 1", StartPatience, cancellationToken);
        await UntilAsync(async () =>
        {
            var up = await QueryAsync("elasticsearch_cluster_health_up == 1", cancellationToken);
            return clusters.Keys.All(region => up.Any(s => s.Labels.GetValueOrDefault(MonitoringLabels.Region) == region));
        }, "every elasticsearch_exporter to be scraped with elasticsearch_cluster_health_up 1", StartPatience, cancellationToken);
    }

    /// <summary>An environment file's <c>NAME=value</c> lines.</summary>
    private static Dictionary<string, string> EnvironmentOf(string file) =>
        file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>Kills one region's mysqld_exporter (its target is then lost); returns when it has exited.</summary>
    public async Task KillExporterAsync(string region) => await exporters[region].KillAsync();

    /// <summary>A Prometheus alert of that name whose labels include <paramref name="labels"/>, as <c>/api/v1/alerts</c> shows it; null when none.</summary>
    public async Task<PrometheusAlert?> PrometheusAlertAsync(string alertName, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(Prometheus, "api/v1/alerts"), cancellationToken));
        foreach (var alert in doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray())
        {
            var l = Labels(alert.GetProperty("labels"));
            if (l.GetValueOrDefault("alertname") == alertName && labels.All(p => l.GetValueOrDefault(p.Key) == p.Value))
                return new PrometheusAlert(l, alert.GetProperty("state").GetString()!,
                    alert.TryGetProperty("activeAt", out var at) ? DateTimeOffset.Parse(at.GetString()!, CultureInfo.InvariantCulture) : null);
        }
        return null;
    }

    /// <summary>The fingerprint Alertmanager gave an active alert of that name and labels (<c>GET /api/v2/alerts</c>); null when it has none.</summary>
    public async Task<string?> AlertmanagerFingerprintAsync(string alertName, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(Alertmanager, "api/v2/alerts"), cancellationToken));
        foreach (var alert in doc.RootElement.EnumerateArray())
        {
            var l = Labels(alert.GetProperty("labels"));
            if (l.GetValueOrDefault("alertname") == alertName && labels.All(p => l.GetValueOrDefault(p.Key) == p.Value))
                return alert.GetProperty("fingerprint").GetString();
        }
        return null;
    }

    /// <summary>An instant query's series (labels only).</summary>
    public async Task<IReadOnlyList<PrometheusAlert>> QueryAsync(string query, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(Prometheus, "api/v1/query?query=" + Uri.EscapeDataString(query)), cancellationToken));
        return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => new PrometheusAlert(Labels(r.GetProperty("metric")), "sample", null))];
    }

    /// <summary>The last lines of every process's output, for a failure message.</summary>
    public string LogTails(int lines = 25) =>
        string.Join("\n", processes.Select(p => $"--- {p.Name} (last {lines} lines{(p.HasExited ? ", exited" : "")}):\n{p.Tail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
            await process.KillAsync();
        foreach (var process in processes)
            process.Dispose();
        http.Dispose();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"could not delete {dir}: {e.Message}");
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; throws, naming <paramref name="what"/> and the log tails, after <paramref name="bound"/>.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // an HTTP call timed out: asked again
            }
            if (clock.Elapsed > bound)
                throw new TimeoutException($"gave up after {bound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s waiting for {what}\n{LogTails()}");
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<bool> ReadyAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (processes.FirstOrDefault(p => p.HasExited) is { } exited)
            throw new InvalidOperationException($"{exited.Name} exited during start-up\n{LogTails()}");
        using var response = await http.GetAsync(uri, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>The rendered option file with the server's loopback address and port, the account's real password (rendered: a Pulumi reference) and the test CA.</summary>
    private static string LoopbackOptionFile(string rendered, MariaDbPair.Server server, string password, string caPath)
    {
        var text = rendered;
        text = ReplaceLine(text, "host", "127.0.0.1");
        text = ReplaceLine(text, "port", Port(server.Port));
        text = ReplaceLine(text, "password", password);
        text = ReplaceLine(text, "ssl-ca", caPath);
        return text;
    }

    private static string ReplaceLine(string text, string key, string value)
    {
        var pattern = new Regex($"(?m)^{Regex.Escape(key)}=.*$");
        if (pattern.Count(text) != 1)
            throw new InvalidOperationException($"the rendered option file has no single '{key}=' line:\n{text}");
        return pattern.Replace(text, $"{key}={value}");
    }

    /// <summary>The exporter's arguments from the rendered unit's ExecStart, and the address it listens on there.</summary>
    private static (string Listen, IReadOnlyList<string> Arguments) ExporterArguments(string unit)
    {
        var exec = Regex.Match(unit, "(?m)^ExecStart=(\\S+)(?<args>.*)$");
        if (!exec.Success)
            throw new InvalidOperationException($"the rendered mysqld_exporter unit has no ExecStart:\n{unit}");
        var arguments = exec.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var listen = arguments.Single(a => a.StartsWith("--web.listen-address=", StringComparison.Ordinal))["--web.listen-address=".Length..];
        return (listen, arguments);
    }

    private static string Global(string yml, string key, TimeSpan value) =>
        ReplaceRegexOnce(yml, $"(?m)^(  {Regex.Escape(key)}: ).*$", "${1}" + Duration(value), $"global {key}");

    private static string Route(string yml, string key, TimeSpan value) =>
        ReplaceRegexOnce(yml, $"(?m)^(  {Regex.Escape(key)}: ).*$", "${1}" + Duration(value), $"route {key}");

    /// <summary>The recovery job scrapes the receiver: its host:port and scheme (plain HTTP on loopback); the rendered path stays.</summary>
    private static string ReplaceRecoveryTarget(string yml, Uri receiver)
    {
        var stream = Load(yml);
        var job = ScrapeJob(stream, MonitoringLabels.RecoveryJob);
        foreach (var group in ((YamlSequenceNode)job.Children[new YamlScalarNode("static_configs")]).Children.Cast<YamlMappingNode>())
            group.Children[new YamlScalarNode("targets")] = new YamlSequenceNode(new YamlScalarNode(receiver.Authority));
        if (job.Children.ContainsKey(new YamlScalarNode("scheme")))
            job.Children[new YamlScalarNode("scheme")] = new YamlScalarNode(receiver.Scheme);
        return Save(stream);
    }

    /// <summary>The blackbox job's exporter address (its relabelled <c>__address__</c>); the probed URLs stay.</summary>
    private static string ReplaceBlackbox(string yml, string address)
    {
        var stream = Load(yml);
        var jobNode = ScrapeJob(stream, MonitoringLabels.BlackboxJob);
        var replaced = 0;
        foreach (var relabel in ((YamlSequenceNode)jobNode.Children[new YamlScalarNode("relabel_configs")]).Children.Cast<YamlMappingNode>())
        {
            if (relabel.Children.TryGetValue(new YamlScalarNode("target_label"), out var target) && ((YamlScalarNode)target).Value == "__address__")
            {
                relabel.Children[new YamlScalarNode("replacement")] = new YamlScalarNode(address);
                replaced++;
            }
        }
        return replaced == 1 ? Save(stream) : throw new InvalidOperationException("the blackbox job has no single __address__ relabelling");
    }

    private static YamlStream Load(string yml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidOperationException($"unreadable YAML: {e.Message}\n{yml}", e);
        }
        return stream;
    }

    private static YamlMappingNode ScrapeJob(YamlStream stream, string job) =>
        ((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("scrape_configs")]).Children
            .Cast<YamlMappingNode>()
            .SingleOrDefault(j => ((YamlScalarNode)j.Children[new YamlScalarNode("job_name")]).Value == job)
        ?? throw new InvalidOperationException($"the rendered prometheus.yml has no job {job}");

    private static string Save(YamlStream stream)
    {
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString().TrimEnd('.', '\n', ' ') + "\n";
    }

    private static string ReplaceOnce(string text, string old, string replacement, string what)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(old, at + old.Length, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"{what}: '{old}' is not in the rendered config exactly once:\n{text}");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + old.Length));
    }

    private static string ReplaceRegexOnce(string text, string pattern, string replacement, string what)
    {
        var regex = new Regex(pattern);
        return regex.Count(text) == 1 ? regex.Replace(text, replacement)
            : throw new InvalidOperationException($"{what}: not in the rendered config exactly once:\n{text}");
    }

    private static Dictionary<string, string> Labels(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    private static string Duration(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Ticks % TimeSpan.TicksPerSecond == 0
            ? Port((int)value.TotalSeconds) + "s"
            : Port((int)value.TotalMilliseconds) + "ms";

    private static string Port(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One alert (or series) as Prometheus's API shows it.</summary>
internal sealed record PrometheusAlert(IReadOnlyDictionary<string, string> Labels, string State, DateTimeOffset? ActiveAt);
