using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Operate;

/// <summary>Which stack to operate on: its config file and, unless the file name says it, its name.</summary>
internal sealed record StackSource(FileInfo StackFile, string? StackName = null);

/// <summary>The stack could not be loaded (not deployed, outputs unreadable); the message says what to do.</summary>
internal sealed class DeploymentUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The stack exists but has no outputs: nothing was deployed yet.</summary>
    public bool NothingDeployed { get; init; }
}

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

        var deployed = await ReadOutputsAsync(pulumi, stack, cancellationToken).ConfigureAwait(false);
        var (view, types) = StackView.Of(deployed);
        var addresses = Deployment.Addresses(deployed);
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
        var ca = deployed.CaCertificate.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) ? deployed.CaCertificate : null;
        return new Deployment(config, view, types, addresses, ca, secrets) { ConfigFile = PulumiConfigFile.ArgumentFor(path, stack), StackFile = path };
    }

    /// <summary>
    /// What the stack's last <c>pulumi up</c> left in its outputs, read into the compiler's contract. Recovery plans
    /// from this, never from compiling the config itself: it must act on the resources that exist.
    /// </summary>
    /// <param name="requireCurrent">
    /// Refuse outputs written before the contract (recovery needs every resource's type); <c>check-drift</c> reads
    /// only the recovery-owned fields, which older outputs carry too.
    /// </param>
    /// <exception cref="DeploymentUnavailableException">Not readable, not deployed, or not the contract's shape.</exception>
    public static async Task<DeployedOutputs> ReadOutputsAsync(IPulumiCli pulumi, string stack, CancellationToken cancellationToken, bool requireCurrent = true)
    {
        ArgumentNullException.ThrowIfNull(pulumi);
        JsonObject outputs;
        try
        {
            outputs = await StackOutputs.ReadAsync(pulumi, stack, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PulumiCommandFailedException or PulumiNotInstalledException or FormatException)
        {
            throw new DeploymentUnavailableException($"cannot read the outputs of stack {stack}: {e.Message}", e);
        }
        if (outputs["regions"] is not JsonObject)
            throw new DeploymentUnavailableException($"stack {stack} has no 'regions' output: has it been deployed (pulumi up)?") { NothingDeployed = outputs.Count == 0 };
        try
        {
            var deployed = DeployedOutputsJson.Parse(outputs);
            return requireCurrent ? DeployedOutputsJson.RequireCurrent(deployed, stack) : deployed;
        }
        catch (DeployedOutputsFormatException e)
        {
            throw new DeploymentUnavailableException($"stack {stack}: {e.Message}", e);
        }
    }
}
