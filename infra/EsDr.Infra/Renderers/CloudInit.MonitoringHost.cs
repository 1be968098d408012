using EsDr.Infra.Renderers.Monitoring;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Renderers;

public static partial class CloudInit
{
    /// <summary>
    /// The monitoring host's user-data: the Debian monitoring packages, then <see cref="MonitoringHost.Files"/>
    /// (deferred: the packages own /etc/prometheus and the prometheus user, and would otherwise replace our
    /// configs with their defaults), then <see cref="MonitoringHost.Commands"/>.
    /// </summary>
    public static string RenderMonitoringHost(MonitoringHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var files = MonitoringHost.Files(settings)
            .Select(f => f.Base64
                ? Base64File(f.Path, f.Content, f.Owner, f.Permissions, defer: true)
                : PlainFile(f.Path, f.Content, f.Owner, f.Permissions, defer: true))
            .ToList<YamlNode>();
        var sections = new[]
        {
            Packages([.. MonitoringHost.Packages(settings)]),
            SshKeys(settings.SshAuthorizedKeys),
            [Yaml.Entry("write_files", Yaml.List(files))],
            [Yaml.Entry("runcmd", Yaml.List(MonitoringHost.Commands(settings)))],
        };
        return Header + Yaml.Serialize(Yaml.Map(sections.SelectMany(s => s)));
    }
}
