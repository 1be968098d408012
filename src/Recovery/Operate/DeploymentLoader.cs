using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Operate;

/// <summary>Which stack to operate on: its config file and, unless the file name says it, its name.</summary>
internal sealed record StackSource(FileInfo StackFile, string? StackName = null);

/// <summary>The stack could not be loaded (not deployed, outputs unreadable); the message says what to do.</summary>
internal sealed class DeploymentUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads a <see cref="Deployment"/>: the stack config file (validated), <c>pulumi stack output --json</c>, and the
/// credentials — from the environment when it gives them all (operators without pulumi access), otherwise
/// from the one <c>--show-secrets</c> call with environment values on top.
/// </summary>
internal static class DeploymentLoader
{
    public static async Task<Deployment> LoadAsync(
        StackSource source, IPulumiCli pulumi, ICredentialSource credentials, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pulumi);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(environment);
        var path = source.StackFile.FullName;
        var project = ProjectFile.ProjectNameFor(path);
        var file = StackFile.Load(path, project);
        var stack = source.StackName ?? file.Stack;
        var config = StackConfigParser.Parse(project, stack, file.Config, file.SecretKeys);

        var (compiled, types) = StackView.Compile(config);
        JsonObject outputs;
        StackView view;
        try
        {
            outputs = await StackOutputs.ReadAsync(pulumi, stack, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PulumiCommandFailedException or PulumiNotInstalledException or FormatException)
        {
            throw new DeploymentUnavailableException($"cannot read the outputs of stack {stack}: {e.Message}", e);
        }
        if (outputs["regions"] is not JsonObject)
            throw new DeploymentUnavailableException($"stack {stack} has no 'regions' output: has it been deployed (pulumi up)?");
        try
        {
            view = StackView.FromOutputs(outputs, compiled.AllResources);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            // StackView reads the shape the compiler emits; anything else is an older or foreign stack.
            throw new DeploymentUnavailableException($"the outputs of stack {stack} are not the shape this program reads (older compiler?): {e.Message}", e);
        }
        var addresses = Deployment.Addresses(outputs, view);
        var regionNames = addresses.Select(r => r.Name).ToList();
        var needsDatabase = addresses.Any(r => r.Database is not null);

        StackCredentials secrets;
        if (StackCredentials.EnvironmentCovers(regionNames, needsDatabase, environment))
        {
            secrets = StackCredentials.Empty.WithEnvironment(regionNames, environment);
        }
        else
        {
            try
            {
                secrets = (await credentials.ReadCredentialsAsync(stack, cancellationToken).ConfigureAwait(false)).WithEnvironment(regionNames, environment);
            }
            catch (Exception e) when (e is PulumiCommandFailedException or PulumiNotInstalledException or FormatException)
            {
                throw new DeploymentUnavailableException(
                    $"cannot read the credentials of stack {stack} ({e.Message}); set ESDR_ELASTIC_PASSWORD_<REGION>, " +
                    $"{StackCredentials.DatabaseUserVariable} and {StackCredentials.DatabasePasswordVariable} instead", e);
            }
        }
        var ca = outputs["caCertificate"] is JsonValue c && c.TryGetValue<string>(out var pem) && pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) ? pem : null;
        return new Deployment(config, view, types, addresses, ca, secrets) { ConfigFile = PulumiConfigFile.ArgumentFor(path, stack), StackFile = path };
    }
}
