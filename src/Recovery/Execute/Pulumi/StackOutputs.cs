using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>
/// <c>pulumi stack output --json</c>, parsed. Secret outputs stay masked (<c>"[secret]"</c>): recovery never asks
/// for <c>--show-secrets</c>.
/// </summary>
internal static class StackOutputs
{
    public static PulumiCommand Command(string stack) => new(
        ["stack", "output", "--stack", stack, "--json"],
        $"read the outputs of stack {stack}",
        "read-only");

    public static async Task<JsonObject> ReadAsync(IPulumiCli cli, string stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var result = await cli.RunAsync(Command(stack), cancellationToken).ConfigureAwait(false);
        return Parse(result.Stdout);
    }

    /// <summary>The outputs as a JSON object; an empty stdout (no outputs) is an empty object.</summary>
    public static JsonObject Parse(string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        if (string.IsNullOrWhiteSpace(stdout)) return [];
        try
        {
            return JsonNode.Parse(stdout) as JsonObject
                ?? throw new FormatException("pulumi stack output --json did not print a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException("pulumi stack output --json printed invalid JSON", e);
        }
    }
}
