using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Execute.Pulumi;

/// <summary><see cref="PulumiProcess"/> against the strict stand-in <c>pulumi</c>.</summary>
public sealed class PulumiProcessTests : IDisposable
{
    private const string Passphrase = "SENTINEL-passphrase-7f3a";
    private const string SecretValue = "SENTINEL-db-password-91c2";
    private readonly PulumiStandIn pulumi = new();

    public void Dispose() => pulumi.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private static StackConfig Config() => StackConfigParser.Parse("es-dr", "prod", new Dictionary<string, string>
    {
        ["es-dr:namePrefix"] = "shop",
        ["es-dr:activeRegion"] = "fra",
        ["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""",
        ["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["203.0.113.0/24"]}""",
        ["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"]}""",
        ["es-dr:replication"] = """{"indexPatterns":["orders"]}""",
        ["es-dr:regions"] = """
            [
              {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
               "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50}},
              {"name":"dub","cloud":"aws","image":"ami-0f3a9c1e5b7d2a4c6","location":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"state":"standby",
               "network":{"cidr":"10.20.0.0/16"},"elasticsearch":{"nodes":3,"size":"r6i.large","volumeGb":50}}
            ]
            """,
    });

    private static PulumiCommand Up() =>
        new(["up", "--stack", "prod", "--yes", "--skip-preview", "--target", "urn:pulumi:prod::es-dr::linode:index/instance:Instance::fra-es-2"], "rebuild", "re-run is a no-op");

    [Fact]
    public async Task Run_CommandWithKnownFlags_IsRecordedExactlyWithNonInteractive()
    {
        var command = Up();

        var result = await pulumi.Process().RunAsync(command, Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("unchanged", result.Stdout, StringComparison.Ordinal);
        var call = Assert.Single(pulumi.Calls);
        Assert.Equal([.. command.Args, "--non-interactive"], call);
    }

    [Theory]
    [InlineData(new[] { "up", "--no-such-flag" }, "unknown flag: --no-such-flag")]
    [InlineData(new[] { "stack", "output", "--show-secret" }, "unknown flag: --show-secret")]
    [InlineData(new[] { "up", "--stack" }, "flag needs an argument: --stack")]
    [InlineData(new[] { "up", "--yes=please" }, "invalid argument")]
    [InlineData(new[] { "config", "set", "a", "b", "c" }, "accepts between 1 and 2 arg(s)")]
    [InlineData(new[] { "destroy", "--yes" }, "unknown command")]
    [InlineData(new[] { "up", "--target", "a", "--exclude", "b" }, "if any flags in the group [target exclude] are set none of the others can be")]
    [InlineData(new[] { "up", "-t", "a", "--exclude", "b" }, "[target exclude] were all set")]
    [InlineData(new[] { "config", "set", "--secret", "--type", "int", "a", "1" }, "[secret type] were all set")]
    [InlineData(new[] { "version", "extra" }, "accepts between 0 and 0 arg(s)")]
    public async Task StandIn_RejectsWhatTheRealCliRejects_WithExitTwo(string[] argv, string error)
    {
        var result = await pulumi.RunDirectAsync(argv);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(error, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandIn_AcceptsEveryFlagOfTheTable_ForEveryCommand()
    {
        foreach (var (command, flags) in PulumiFlags.Table.Where(c => c.Key.Length > 0))
        {
            // One member of each mutually exclusive group (the first), every other flag as it is spelled.
            bool Allowed(string f) => (PulumiFlags.ExclusiveGroups.GetValueOrDefault(command) ?? [])
                .All(g => !g.Skip(1).Contains(PulumiFlags.LongName(f)));
            string[] argv =
            [
                .. command.Split(' '), .. flags.Value.Where(Allowed).SelectMany(f => new[] { f, "v" }),
                .. flags.Switch.Where(Allowed), .. flags.Switch.Where(Allowed).Select(f => f + "=false"),
                .. flags.OptionalValue.Where(Allowed).Select(f => f + "=v"), .. Enumerable.Repeat("arg", flags.MinArgs),
            ];
            PulumiFlags.Validate(argv); // the C# table agrees

            var result = await pulumi.RunDirectAsync(argv);

            Assert.True(result.ExitCode == 0, $"{command}: {result.Stderr}");
        }
    }

    public static TheoryData<string> Scenarios() => [.. Planner.Scenarios];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Run_EveryPulumiCommandOfASimulatedPlan_IsAcceptedByTheStandIn(string scenario)
    {
        var commands = Planner.Simulate(scenario, Config()).Steps.OfType<PulumiCommand>().ToList();
        Assert.NotEmpty(commands);
        var cli = pulumi.Process();

        foreach (var command in commands)
        {
            var result = await cli.RunAsync(command, Ct);
            Assert.Equal(0, result.ExitCode);
        }

        Assert.Equal(commands.Select(c => (string[])[.. c.Args, "--non-interactive"]), pulumi.Calls);
    }

    [Theory]
    [InlineData("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.")]
    [InlineData("error: [409] Conflict: Another update is currently in progress.")]
    public async Task Run_WhenTheStackIsLocked_ThrowsStackLocked(string stderr)
    {
        pulumi.FailWith(stderr);

        var e = await Assert.ThrowsAsync<StackLockedException>(() => pulumi.Process().RunAsync(Up(), Ct));

        Assert.Equal(255, e.ExitCode);
        Assert.Contains("pulumi up --stack prod", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenTheStackDoesNotExist_ThrowsStackNotFound()
    {
        pulumi.FailWith("error: no stack named 'prod' found");

        await Assert.ThrowsAsync<StackNotFoundException>(() => pulumi.Process().RunAsync(Up(), Ct));
    }

    [Fact]
    public async Task Run_OtherFailure_ThrowsCommandFailedWithTheStderrTail()
    {
        pulumi.FailWith(string.Concat(Enumerable.Range(1, 50).Select(i => $"line {i}\n")) + "error: provider crashed", exitCode: 1);

        var e = await Assert.ThrowsAsync<PulumiCommandFailedException>(() => pulumi.Process().RunAsync(Up(), Ct));

        Assert.Equal(typeof(PulumiCommandFailedException), e.GetType());
        Assert.Equal(1, e.ExitCode);
        Assert.EndsWith("error: provider crashed", e.StderrTail, StringComparison.Ordinal);
        Assert.DoesNotContain("line 10\n", e.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Failure_NeverPutsSecretsFromTheEnvironmentOrSecretConfigIntoTheMessage()
    {
        pulumi.FailWith($"error: decrypting with passphrase {Passphrase} failed; value {SecretValue} rejected");
        var cli = pulumi.Process(new Dictionary<string, string?> { ["PULUMI_CONFIG_PASSPHRASE"] = Passphrase });
        var command = new PulumiCommand(["config", "set", "--stack", "prod", "--secret", "--path", "mysql.password", SecretValue], "set a secret", "same value");

        var e = await Assert.ThrowsAsync<PulumiCommandFailedException>(() => cli.RunAsync(command, Ct));

        Assert.DoesNotContain(Passphrase, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, e.ToString(), StringComparison.Ordinal);
        Assert.Contains("mysql.password [secret]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithALineObserver_HandsOverEachLineRedactedAndReturnsTheSameStdout()
    {
        pulumi.UpSummary = "Updating (prod):\r\n +  linode:index/instance:Instance fra-es-2 creating (0s)\n"
            + $"passphrase {Passphrase}\n +  linode:index/instance:Instance fra-es-2 created (41s)";
        var cli = pulumi.Process(new Dictionary<string, string?> { ["PULUMI_CONFIG_PASSPHRASE"] = Passphrase });
        var lines = new List<string>();

        var streamed = await cli.RunAsync(Up(), lines.Add, Ct);
        var whole = await cli.RunAsync(Up(), Ct);

        Assert.Equal(whole.Stdout, streamed.Stdout);
        Assert.Equal(
            ["Updating (prod):", " +  linode:index/instance:Instance fra-es-2 creating (0s)", "passphrase [secret]", " +  linode:index/instance:Instance fra-es-2 created (41s)"],
            lines);
    }

    [Fact]
    public async Task Run_WhenTheLineObserverThrows_StillReadsAllOfStdoutAndSucceeds()
    {
        pulumi.UpSummary = string.Concat(Enumerable.Range(1, 2000).Select(i => $" +  linode:index/instance:Instance n{i} created (1s)\n"));
        var seen = 0;

        var result = await pulumi.Process().RunAsync(Up(), _ => throw new InvalidOperationException($"display broke after {++seen}"), Ct);

        Assert.Equal(1, seen);
        Assert.Equal(2000, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Run_PassesTheEnvironmentThroughToPulumi()
    {
        var standIn = Path.Combine(pulumi.BinDirectory, "pulumi");
        File.WriteAllText(standIn, "#!/usr/bin/env bash\nprintf '%s' \"$PULUMI_CONFIG_PASSPHRASE\" > \"$(dirname \"$0\")/seen\"\n");

        await pulumi.Process(new Dictionary<string, string?> { ["PULUMI_CONFIG_PASSPHRASE"] = Passphrase }).RunAsync(Up(), Ct);

        Assert.Equal(Passphrase, File.ReadAllText(Path.Combine(pulumi.BinDirectory, "seen")));
    }

    [Fact]
    public async Task Version_IsAskedOfTheCliOnce_AndReadFromWhatItPrints()
    {
        pulumi.Version = "v3.259.0";
        var cli = pulumi.Process();

        Assert.Equal("v3.259.0", await cli.VersionAsync(Ct));
        Assert.Equal("v3.259.0", await cli.VersionAsync(Ct));

        Assert.Equal(["version", "--non-interactive"], Assert.Single(pulumi.Calls));
    }

    [Theory]
    [InlineData("v3.259.0")]
    [InlineData("v3.158.0")]
    [InlineData("3.200.1-alpha.1741873217+g1b59498")]
    [InlineData("v4.0.0")]
    public async Task Requirement_IsMetByACliWithEveryFlagRecoveryUses(string version)
    {
        pulumi.Version = version;

        await PulumiVersionRequirement.EnsureAsync(pulumi.Process(), Ct);

        Assert.Equal(new Version(3, 158, 0), PulumiVersionRequirement.Minimum);
    }

    [Theory]
    [InlineData("v3.157.2", "pulumi v3.157.2 is too old: recovery needs v3.158.0 or newer (pulumi up --exclude since v3.158.0)")]
    [InlineData("v3.147.0", "recovery needs v3.158.0 or newer (pulumi config set --type since v3.148.0, pulumi up --exclude since v3.158.0)")]
    [InlineData("v2.25.2", "pulumi v2.25.2 is too old")]
    [InlineData("unknown", "'pulumi version' printed 'unknown', not a version: recovery needs v3.158.0 or newer")]
    public async Task Requirement_RefusesAnOlderCli_NamingTheMinimumAndTheFlagsItLacks(string version, string message)
    {
        pulumi.Version = version;

        var e = await Assert.ThrowsAsync<PulumiTooOldException>(() => PulumiVersionRequirement.EnsureAsync(pulumi.Process(), Ct));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StackOutputs_ParsesTheCannedJson_WithoutShowSecrets()
    {
        pulumi.StackOutputJson = """{"activeRegion":"fra","endpoints":{"fra":"https://es.fra.example"},"adminPassword":"[secret]"}""";

        var outputs = await StackOutputs.ReadAsync(pulumi.Process(), "prod", Ct);

        Assert.Equal("fra", (string?)outputs["activeRegion"]);
        Assert.Equal("https://es.fra.example", (string?)outputs["endpoints"]!["fra"]);
        Assert.DoesNotContain("--show-secrets", Assert.Single(pulumi.Calls));
    }

    [Fact]
    public async Task Run_ShowSecrets_IsRefusedBeforeStartingPulumi()
    {
        var command = new PulumiCommand(["stack", "output", "--json", "--show-secrets"], "read", "read-only");

        await Assert.ThrowsAsync<ArgumentException>(() => pulumi.Process().RunAsync(command, Ct));

        Assert.Empty(pulumi.Calls);
    }

    [Fact]
    public async Task Run_WithoutPulumiOnPath_ThrowsNotInstalled()
    {
        var cli = new PulumiProcess(new PulumiProcessOptions(pulumi.ProjectDirectory) { Environment = new Dictionary<string, string?> { ["PATH"] = "/nonexistent" } });

        await Assert.ThrowsAsync<PulumiNotInstalledException>(() => cli.RunAsync(Up(), Ct));
    }
}
