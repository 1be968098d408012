using System.Text.Json;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>
/// The stack's secret <c>credentials</c> output, held in memory only: each region's <c>elastic</c> password and
/// the database account. Nothing here is ever printed: <see cref="ToString"/> names no value, and a parse error
/// says what is wrong with the shape, never what the text was.
/// </summary>
internal sealed class StackCredentials
{
    private readonly Dictionary<string, string> elasticPasswords;

    private StackCredentials(Dictionary<string, string> elasticPasswords, string? databaseUser, string? databasePassword)
    {
        this.elasticPasswords = elasticPasswords;
        DatabaseUser = databaseUser;
        DatabasePassword = databasePassword;
    }

    public static StackCredentials Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal), null, null);

    public string? DatabaseUser { get; }
    public string? DatabasePassword { get; }

    public string? ElasticPassword(string region) => elasticPasswords.GetValueOrDefault(region);

    /// <summary>Every secret value, for the redactors of the audit trail and of pulumi's error output.</summary>
    public IEnumerable<string> Secrets =>
        elasticPasswords.Values.Concat(DatabasePassword is null ? [] : [DatabasePassword]);

    /// <summary>
    /// Reads <c>pulumi stack output credentials --json --show-secrets</c>:
    /// <c>{"regions":{"&lt;r&gt;":{"elasticPassword":"…"}},"database":{"user":"…","password":"…"}}</c>; either part may be absent.
    /// </summary>
    public static StackCredentials Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json)) return Empty;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            // The exception's message may quote the text: drop it.
            throw new FormatException("the credentials output is not JSON");
        }
        if (root is not JsonObject o) throw new FormatException("the credentials output is not a JSON object");
        var elastic = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o["regions"] is JsonObject regions)
        {
            foreach (var (region, value) in regions)
            {
                if (value?["elasticPassword"] is JsonValue v && v.TryGetValue<string>(out var password) && password.Length > 0)
                    elastic[region] = password;
                else
                    throw new FormatException($"credentials.regions.{region}.elasticPassword is missing or not a string");
            }
        }
        string? user = null, dbPassword = null;
        if (o["database"] is JsonObject db)
        {
            user = db["user"] is JsonValue u && u.TryGetValue<string>(out var us) ? us : throw new FormatException("credentials.database.user is missing or not a string");
            dbPassword = db["password"] is JsonValue p && p.TryGetValue<string>(out var ps) ? ps : throw new FormatException("credentials.database.password is missing or not a string");
        }
        return new StackCredentials(elastic, user, dbPassword);
    }

    /// <summary>The environment variable that overrides a region's <c>elastic</c> password: <c>ESDR_ELASTIC_PASSWORD_&lt;REGION&gt;</c>.</summary>
    public static string ElasticVariable(string region) =>
        "ESDR_ELASTIC_PASSWORD_" + new string(region.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());

    public const string DatabaseUserVariable = "ESDR_MYSQL_USER";
    public const string DatabasePasswordVariable = "ESDR_MYSQL_PASSWORD";

    /// <summary>True when the environment alone gives every credential for these regions (then pulumi is not asked).</summary>
    public static bool EnvironmentCovers(IEnumerable<string> regions, bool needsDatabase, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return regions.All(r => !string.IsNullOrEmpty(environment(ElasticVariable(r))))
            && (!needsDatabase || (!string.IsNullOrEmpty(environment(DatabaseUserVariable)) && !string.IsNullOrEmpty(environment(DatabasePasswordVariable))));
    }

    /// <summary>These credentials with every value the environment sets put over them (for operators without pulumi access).</summary>
    public StackCredentials WithEnvironment(IEnumerable<string> regions, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var elastic = new Dictionary<string, string>(elasticPasswords, StringComparer.Ordinal);
        foreach (var region in regions)
        {
            if (environment(ElasticVariable(region)) is { Length: > 0 } password) elastic[region] = password;
        }
        var user = environment(DatabaseUserVariable) is { Length: > 0 } u ? u : DatabaseUser;
        var dbPassword = environment(DatabasePasswordVariable) is { Length: > 0 } p ? p : DatabasePassword;
        return new StackCredentials(elastic, user, dbPassword);
    }

    public override string ToString() => $"credentials for {elasticPasswords.Count} region(s){(DatabaseUser is null ? "" : " and the database")}";
}

/// <summary>Where the credentials come from: the one dedicated <c>--show-secrets</c> call (or a test's stand-in).</summary>
internal interface ICredentialSource
{
    Task<StackCredentials> ReadCredentialsAsync(string stack, CancellationToken cancellationToken);
}
