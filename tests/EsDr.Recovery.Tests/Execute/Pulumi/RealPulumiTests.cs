using EsDr.Recovery.Execute.Pulumi;

namespace EsDr.Recovery.Tests.Execute.Pulumi;

/// <summary>A fact that runs only when a real <c>pulumi</c> binary is on PATH.</summary>
public sealed class RequiresPulumiOnPathFactAttribute : FactAttribute
{
    public RequiresPulumiOnPathFactAttribute()
    {
        if (RealPulumi.Path is null)
            Skip = "no `pulumi` binary on PATH: install the Pulumi CLI to run the real-pulumi tests";
    }
}

internal static class RealPulumi
{
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        try
        {
            return PulumiProcess.ResolveExecutable("pulumi", Environment.GetEnvironmentVariable("PATH"));
        }
        catch (PulumiNotInstalledException)
        {
            return null;
        }
    }
}

/// <summary>Opt-in: <see cref="PulumiProcess"/> against the real Pulumi CLI.</summary>
public class RealPulumiTests
{
    [RequiresPulumiOnPathFact]
    public async Task Version_OfTheRealCli_IsPrinted()
    {
        var cli = new PulumiProcess(new PulumiProcessOptions(Directory.GetCurrentDirectory()));

        var version = await cli.VersionAsync(CancellationToken.None);

        Assert.Matches(@"^v?\d+\.\d+\.\d+", version);
    }
}
