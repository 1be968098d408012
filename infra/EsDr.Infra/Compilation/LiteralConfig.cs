using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Infra.Compilation;

/// <summary>
/// The one place config text becomes program text. Pulumi YAML reads every string of a program's values, and every
/// key of a map inside one, as a template in which <c>${…}</c> names a resource, variable or secret; so a config value
/// is data only once each of its <c>$</c> is doubled (<see cref="Ref.Literal"/>). The compilation reads the stack
/// config through this copy, whose free text is escaped: tags (keys and values), SSH public keys (their comments are
/// free), the application's own cloud-config (keys and strings), the Alertmanager webhook URL (and the recovery program's
/// metrics scrape, derived from it), and the stack's name. Every other string config holds is a name or a number whose reader refuses
/// such characters (<c>ConfigNode.Identifier</c>, the config rules), so it needs no escaping; a test sets every key of
/// a fully populated config to a hostile value and checks one or the other happened.
/// </summary>
internal static class LiteralConfig
{
    public static StackConfig Of(StackConfig config) => config with
    {
        Stack = Ref.Literal(config.Stack),
        Tags = config.Tags.ToDictionary(t => Ref.Literal(t.Key), t => Ref.Literal(t.Value), StringComparer.Ordinal),
        Ssh = config.Ssh with { PublicKeys = config.Ssh.PublicKeys.Select(Ref.Literal).ToList() },
        Monitoring = config.Monitoring is { } m
            ? m with { WebhookUrl = Ref.Literal(m.WebhookUrl) }
            : null,
        Application = config.Application is { CloudConfig: { } user } app ? app with { CloudConfig = (JsonObject)Escape(user)! } : config.Application,
    };

    /// <summary>JSON with every key and string escaped; numbers, booleans and null as they are.</summary>
    private static JsonNode? Escape(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(Ref.Literal(kv.Key), Escape(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Escape)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Ref.Literal(s)),
        _ => node?.DeepClone(),
    };
}
