using System.Globalization;
using System.Text;

namespace EsDr.Recovery.Watch;

/// <summary>One sample: its labels (name → value, in the order given) and value.</summary>
internal sealed record MetricSample(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value);

/// <summary>One metric family: name, help, type (gauge or counter) and its samples.</summary>
internal sealed record MetricFamily(string Name, string Help, string Type, IReadOnlyList<MetricSample> Samples);

/// <summary>
/// The Prometheus text exposition format (0.0.4), written by hand: <c># HELP</c> and <c># TYPE</c> once per family,
/// then its samples. Escaping follows the format: in help text backslash and newline; in label values backslash,
/// double quote and newline. Pure, so tests check it against <c>promtool check metrics</c>.
/// </summary>
internal static class PrometheusText
{
    public static string Render(IEnumerable<MetricFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        var sb = new StringBuilder();
        foreach (var family in families)
        {
            sb.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            sb.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var sample in family.Samples)
            {
                sb.Append(family.Name);
                if (sample.Labels.Count > 0)
                {
                    sb.Append('{');
                    sb.AppendJoin(',', sample.Labels.Select(l => $"{l.Key}=\"{EscapeLabel(l.Value)}\""));
                    sb.Append('}');
                }
                sb.Append(' ').Append(Number(sample.Value)).Append('\n');
            }
        }
        return sb.ToString();
    }

    public static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
