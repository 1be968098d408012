using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Tests.Operate;
using Driver = MySqlConnector;

namespace EsDr.Recovery.Tests.Observe.MySql;

public sealed class MySqlClientTests
{
    private static readonly MySqlEndpoint Endpoint = new("fra", "203.0.113.6", 3306, "esdr_admin", "pw-7Qz") { CaPath = "/etc/es-dr/ca.pem" };

    [Fact]
    public void The_driver_is_asked_for_TLS_verified_against_the_CA_but_not_the_name()
    {
        var settings = new MySqlClient().Settings(Endpoint);

        Assert.Equal(Driver.MySqlSslMode.VerifyCA, settings.SslMode);
        Assert.Equal("/etc/es-dr/ca.pem", settings.SslCa);
        Assert.Equal(("203.0.113.6", 3306u, "esdr_admin"), (settings.Server, settings.Port, settings.UserID));
    }

    [Fact]
    public void Without_a_CA_the_chain_is_still_verified_against_the_system_trust_store()
    {
        var settings = new MySqlClient().Settings(new MySqlEndpoint("fra", "db", 3306, "u", "p"));

        Assert.Equal(Driver.MySqlSslMode.VerifyCA, settings.SslMode);
        Assert.Equal("", settings.SslCa);
    }

    [Fact]
    public void Connections_are_pooled_and_every_wait_is_bounded()
    {
        var settings = new MySqlClient(commandTimeout: TimeSpan.FromSeconds(30), connectTimeout: TimeSpan.FromSeconds(5)).Settings(Endpoint);

        Assert.True(settings.Pooling);
        Assert.Equal((uint)MySqlClient.PoolSize, settings.MaximumPoolSize);
        Assert.True(settings.ConnectionReset);
        Assert.Equal(5u, settings.ConnectionTimeout);
        Assert.Equal(30u, settings.DefaultCommandTimeout);
        Assert.InRange(settings.CancellationTimeout, 1, 5);
    }

    [Theory]
    [InlineData(Driver.MySqlErrorCode.UnableToConnectToHost, null, nameof(MySqlFailure.Unreachable))]
    [InlineData(Driver.MySqlErrorCode.UnableToConnectToHost, "08S01", nameof(MySqlFailure.Unreachable))]
    [InlineData(Driver.MySqlErrorCode.CommandTimeoutExpired, null, nameof(MySqlFailure.TimedOut))]
    [InlineData(Driver.MySqlErrorCode.OptionPreventsStatement, "HY000", nameof(MySqlFailure.ServerError))]
    [InlineData(Driver.MySqlErrorCode.AccessDenied, "28000", nameof(MySqlFailure.ServerError))]
    [InlineData(Driver.MySqlErrorCode.UnknownSystemVariable, "HY000", nameof(MySqlFailure.ServerError))]
    [InlineData(Driver.MySqlErrorCode.None, null, nameof(MySqlFailure.Broken))]
    [InlineData(Driver.MySqlErrorCode.ProvidePasswordCallbackFailed, null, nameof(MySqlFailure.Broken))]
    public void Driver_errors_map_by_their_typed_code(Driver.MySqlErrorCode code, string? sqlState, string expected)
    {
        Assert.Equal(Enum.Parse<MySqlFailure>(expected), DriverErrors.Classify(code, sqlState));
    }

    [Fact]
    public void The_codes_the_mapping_and_the_docs_name_are_the_drivers_own_numbers()
    {
        Assert.Equal(1042, (int)Driver.MySqlErrorCode.UnableToConnectToHost);
        Assert.Equal(-1, (int)Driver.MySqlErrorCode.CommandTimeoutExpired);
        Assert.Equal(1045, (int)Driver.MySqlErrorCode.AccessDenied);
        Assert.Equal(1290, (int)Driver.MySqlErrorCode.OptionPreventsStatement);
    }

    [Fact]
    public void The_stacks_CA_is_written_0600_in_a_private_directory_and_removed_after()
    {
        const string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        string path;
        using (var file = MySqlCaFile.Write(pem))
        {
            path = file.Path;
            Assert.Equal(pem, File.ReadAllText(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            }
        }
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void Text_that_is_not_a_PEM_certificate_is_refused_as_the_CA()
    {
        Assert.Throws<ArgumentException>(() => MySqlCaFile.Write("not a certificate"));
    }

    [Fact]
    public void Recovery_starts_no_MySQL_client_process()
    {
        var source = Path.Combine(OperatorTestbed.FindRoot(), "src", "Recovery");
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(source, f), File.ReadAllText);
        static bool StartsProcesses(string text) => text.Contains("ProcessStartInfo", StringComparison.Ordinal) || text.Contains("Process.Start", StringComparison.Ordinal)
            || text.Contains("new Process", StringComparison.Ordinal);

        var mysqlFolders = files.Where(f => f.Key.StartsWith("Observe/MySql/", StringComparison.Ordinal)
            || f.Key.StartsWith("Execute/MySql/", StringComparison.Ordinal) || f.Key.StartsWith("Sql/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(mysqlFolders);
        Assert.DoesNotContain(mysqlFolders, f => StartsProcesses(f.Value));
        Assert.DoesNotContain(files, f => StartsProcesses(f.Value)
            && (f.Value.Contains("\"mariadb\"", StringComparison.Ordinal) || f.Value.Contains("\"mysql\"", StringComparison.Ordinal)));
    }
}
